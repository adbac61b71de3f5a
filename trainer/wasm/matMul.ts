/**
 * Matrix products with a transposed operand on the wasm backend. The backend
 * gives only the plain product to XNNPACK (28 GFLOP/s on the course MLP's
 * shapes); with transposeA or transposeB it falls back to a scalar loop
 * (0.7 and 2.3 GFLOP/s), and backprop through every Dense layer asks for
 * exactly those two. Here the product is rewritten as a plain one with the
 * backend's Transpose kernel.
 *
 * XNNPACK repacks its right operand on every call (weights change every
 * step), so the rewrite picks the form that moves the fewest elements:
 * for dX = dY·Wᵀ, (W·dYᵀ)ᵀ packs the small dYᵀ instead of the whole W
 * (7.4 instead of 10.8 ms for a 128×1024 by 1024×784 product, 1.3 instead
 * of 6.8 ms for 32×512 by 512×1024).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { transposeLastTwo, withTemporaries, type KernelArgs } from './kernelUtil';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** `original` (BatchMatMul or _FusedMatMul), with transposed operands made plain before it runs. */
export function withPlainOperands(original: tf.KernelConfig): tf.KernelConfig {
  const plain = original.kernelFunc;
  const swapsProduct = original.kernelName === tf.BatchMatMul;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
    if (!transposeA && !transposeB) return plain(args);
    const backend = args.backend as BackendWasm;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const attrs = { ...args.attrs, transposeA: false, transposeB: false };
    // The product is m×k by k×n.
    const { m, k, n } = productSize(a.shape, b.shape, transposeA, transposeB);
    const swap = swapsProduct && swapsOperands(m, k, n, transposeA, transposeB);
    return withTemporaries(backend, (temp) => {
      if (swap) {
        const plainA = transposeA ? a : temp(transposeLastTwo(backend, a));
        const product = temp(plain({ ...args, inputs: { a: b, b: plainA }, attrs }) as tf.TensorInfo);
        return transposeLastTwo(backend, product);
      }
      const plainA = transposeA ? temp(transposeLastTwo(backend, a)) : a;
      const plainB = transposeB ? temp(transposeLastTwo(backend, b)) : b;
      return plain({ ...args, inputs: { ...args.inputs, a: plainA, b: plainB }, attrs });
    });
  };
  return { ...original, kernelFunc };
}

/** The product's size, m×k by k×n, from its operands' shapes as stored. */
export function productSize(a: readonly number[], b: readonly number[], transposeA: boolean, transposeB: boolean): { m: number; k: number; n: number } {
  const [rowsA, colsA] = a.slice(-2) as [number, number];
  const [m, k] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
  return { m, k, n: b[b.length - (transposeB ? 2 : 1)]! };
}

/**
 * Whether a BatchMatMul with a transposed b runs as the transpose of the
 * swapped product: a·bᵀ as (b·aᵀ)ᵀ transposes and packs aᵀ and transposes
 * the product instead of transposing and packing b; aᵀ·bᵀ = (b·a)ᵀ likewise.
 * Neither holds for _FusedMatMul, whose bias or activation applies before
 * the transpose.
 */
export function swapsOperands(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): boolean {
  return transposeB && (transposeA || 2 * m * k + m * n < 2 * n * k);
}
