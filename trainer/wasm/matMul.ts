/**
 * Matrix products with a transposed operand on the wasm backend. The backend
 * gives only the plain product to XNNPACK (28 GFLOP/s on the course MLP's
 * shapes); with transposeA or transposeB it falls back to a scalar loop
 * (0.7 and 2.3 GFLOP/s), and backprop through every Dense layer asks for
 * exactly those two. Here the product is rewritten as a plain one with the
 * backend's Transpose kernel.
 *
 * That rewrite is the fallback where the trainer's own product
 * (withOwnProduct below) does not run. XNNPACK repacks its right operand on
 * every call (weights change every step), so it picks the form that moves the fewest elements:
 * for dX = dY·Wᵀ, (W·dYᵀ)ᵀ packs the small dYᵀ instead of the whole W
 * (7.4 instead of 10.8 ms for a 128×1024 by 1024×784 product, 1.3 instead
 * of 6.8 ms for 32×512 by 512×1024).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { memoryOffset, runKernel, transposeLastTwo, withTemporaries, type KernelArgs } from './kernelUtil';
import { ownKernels } from './ownKernels';

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

/** Products smaller than this (multiply-adds) run on one thread: waking the others costs more. */
const THREADED_MIN_WORK = 1 << 18;

/** The activations fused into the product's store pass, by the kernel's code (wasm/kernels.ts). */
const FUSED_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3 };
/** The other activations of _FusedMatMul, applied after by the backend's kernel of that name. */
const AFTER_ACTIVATIONS: Record<string, string> = { elu: tf.Elu, sigmoid: tf.Sigmoid };

interface FusedAttrs extends MatMulAttrs {
  activation?: string;
  leakyreluAlpha?: number;
}

/**
 * `original` (BatchMatMul or _FusedMatMul) run by the trainer's own product
 * (./ownKernels) where it can: float32 operands, batches equal or one of
 * them single, a bias of one value per column. Anything else, and every
 * product where the kernels do not run, goes to `original` with plain operands.
 */
export function withOwnProduct(original: tf.KernelConfig): tf.KernelConfig {
  const fallback = withPlainOperands(original).kernelFunc;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const kernels = ownKernels(backend);
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation = 'linear', leakyreluAlpha = 0.2 } = args.attrs as unknown as FusedAttrs;
    if (!kernels || !a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || preluActivationWeights) return fallback(args);
    const fused = FUSED_ACTIVATIONS[activation];
    const after = AFTER_ACTIVATIONS[activation];
    if (fused === undefined && after === undefined) return fallback(args);
    const { m, k, n } = productSize(a.shape, b.shape, transposeA, transposeB);
    if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n || (bias.shape.length > 0 && bias.shape[bias.shape.length - 1] !== n))) return fallback(args);
    const outer = batchShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (!outer) return fallback(args);
    const batches = tf.util.sizeFromShape(outer);
    const out = backend.makeOutput([...outer, m, n], 'float32');
    const offsetOf = (info: tf.TensorInfo): number => memoryOffset(backend, info);
    const [aBase, bBase, cBase] = [offsetOf(a), offsetOf(b), offsetOf(out)];
    const biasOffset = bias ? offsetOf(bias) : 0;
    const aStride = tf.util.sizeFromShape(a.shape.slice(0, -2)) > 1 ? 4 * m * k : 0;
    const bStride = tf.util.sizeFromShape(b.shape.slice(0, -2)) > 1 ? 4 * k * n : 0;
    const threads = m * k * n >= THREADED_MIN_WORK ? kernels.threads : 1;
    const parts = split(m, n, threads);
    for (let batch = 0; batch < batches; batch++) {
      const [aOffset, bOffset, cOffset] = [aBase + batch * aStride, bBase + batch * bStride, cBase + batch * 4 * m * n];
      kernels.parallel('gemm', parts.length, (t) => {
        const { i0, i1, j0, j1 } = parts[t]!;
        const scratch = kernels.scratch(t, kernels.exports.gemmScratch(j1 - j0));
        return [aOffset, bOffset, cOffset, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, i0, i1, j0, j1, scratch, biasOffset, fused ?? 0, leakyreluAlpha];
      });
    }
    if (!after) return out;
    return withTemporaries(backend, (temp) => runKernel(after, backend, { x: temp(out) }));
  };
  return { ...original, kernelFunc };
}

/** The batch shape of a product of operands with these outer shapes: equal, or one of them a single matrix; undefined otherwise. */
function batchShape(a: number[], b: number[]): number[] | undefined {
  const [sizeA, sizeB] = [tf.util.sizeFromShape(a), tf.util.sizeFromShape(b)];
  if (sizeB === 1 && a.length >= b.length) return a;
  if (sizeA === 1 && b.length >= a.length) return b;
  return a.length === b.length && a.every((size, i) => size === b[i]) ? a : undefined;
}

/**
 * Ranges of rows (multiples of 4) or columns (multiples of 8) of an m×n
 * result, one per thread, in whole tiles. Each thread packs its own rows of
 * A and every column of B, or the other way round, so splitting the longer
 * side packs the least (columns when n > m), given tiles enough for every thread.
 */
function split(m: number, n: number, threads: number): { i0: number; i1: number; j0: number; j1: number }[] {
  const [rowTiles, columnTiles] = [Math.ceil(m / 4), Math.ceil(n / 8)];
  const byColumns = n > m ? columnTiles >= threads || columnTiles >= rowTiles : rowTiles < threads && columnTiles > rowTiles;
  const tiles = byColumns ? columnTiles : rowTiles;
  const used = Math.max(1, Math.min(threads, tiles));
  const parts: { i0: number; i1: number; j0: number; j1: number }[] = [];
  for (let t = 0; t < used; t++) {
    const [from, to] = [Math.floor((t * tiles) / used), Math.floor(((t + 1) * tiles) / used)];
    if (byColumns) parts.push({ i0: 0, i1: m, j0: from * 8, j1: Math.min(n, to * 8) });
    else parts.push({ i0: from * 4, i1: Math.min(m, to * 4), j0: 0, j1: n });
  }
  return parts;
}
