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
 * (7.4 instead of 10.8 ms for 128×1024 by 1024×784; 1.3 instead of 6.8 ms
 * at batch 32).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediate, transposeLastTwo, type KernelArgs } from './kernelUtil';

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
    const [m, k] = transposeA ? a.shape.slice(-2).reverse() : a.shape.slice(-2);
    const n = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
    // a·bᵀ as (b·aᵀ)ᵀ: transposes and packs aᵀ and transposes the product instead of transposing and packing b.
    // aᵀ·bᵀ = (b·a)ᵀ likewise. Neither holds with a bias or an activation to apply before the transpose.
    const swap = swapsProduct && transposeB && (transposeA || 2 * m! * k! + m! * n < 2 * n * k!);
    if (swap) {
      const plainA = transposeA ? a : transposeLastTwo(backend, a);
      const product = plain({ ...args, inputs: { a: b, b: plainA }, attrs }) as tf.TensorInfo;
      const result = transposeLastTwo(backend, product);
      disposeIntermediate(backend, product, ...(transposeA ? [] : [plainA]));
      return result;
    }
    const made: tf.TensorInfo[] = [];
    const plainA = transposeA ? transposeLastTwo(backend, a) : a;
    const plainB = transposeB ? transposeLastTwo(backend, b) : b;
    if (transposeA) made.push(plainA);
    if (transposeB) made.push(plainB);
    const result = plain({ ...args, inputs: { ...args.inputs, a: plainA, b: plainB }, attrs });
    disposeIntermediate(backend, ...made);
    return result;
  };
  return { ...original, kernelFunc };
}
