/**
 * Add, Sub, Multiply and RealDiv of float32 tensors on the wasm backend by
 * the trainer's SIMD kernel (wasm/kernels.ts), split over its threads: the
 * same shape, a scalar, or one value per channel of the last axis (a bias,
 * batch normalization's statistics). These passes over whole activations
 * are most of the digits CNN's elementwise time, which was a third of its
 * step (bench/profile.ts); the backend runs them on one thread. Other
 * broadcasts, other dtypes and small tensors go to the backend's kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { memoryOffset, type KernelArgs } from './kernelUtil';
import { ownKernels } from './ownKernels';

/** The kernel's code for each operation (wasm/kernels.ts). */
export const BINARY_OPS: Record<string, number> = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 };

/** Below this many elements the backend's kernel is as fast: the call's own work dominates. */
const MIN_SIZE = 1 << 12;
/** From this many elements the pass is split over the threads. */
const THREADED_MIN_SIZE = 1 << 16;

/** How each operand repeats over the result: 0 as long as it, 1 a scalar, C one value per channel. */
interface Layout {
  shape: number[];
  aLength: number;
  bLength: number;
}

function binaryLayout(a: readonly number[], b: readonly number[]): Layout | undefined {
  let shape: number[];
  try {
    shape = tf.backend_util.assertAndGetBroadcastShape(a as number[], b as number[]);
  } catch {
    return undefined;
  }
  const size = tf.util.sizeFromShape(shape);
  const [sizeA, sizeB] = [tf.util.sizeFromShape(a as number[]), tf.util.sizeFromShape(b as number[])];
  const channels = shape[shape.length - 1] ?? 1;
  /** The operand's repeat length, or undefined when it repeats in some other way. */
  const length = (dims: readonly number[], count: number): number | undefined => {
    if (count === size) return 0;
    if (count === 1) return 1;
    return count === channels && dims[dims.length - 1] === channels ? channels : undefined;
  };
  const [aLength, bLength] = [length(a, sizeA), length(b, sizeB)];
  if (aLength === undefined || bLength === undefined || (aLength > 0 && bLength > 0)) return undefined;
  return { shape, aLength, bLength };
}

export function withOwnBinary(original: tf.KernelConfig): tf.KernelConfig {
  const op = BINARY_OPS[original.kernelName]!;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const kernels = ownKernels(backend);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!kernels || a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
    const layout = binaryLayout(a.shape, b.shape);
    if (!layout) return original.kernelFunc(args);
    const size = tf.util.sizeFromShape(layout.shape);
    if (size < MIN_SIZE) return original.kernelFunc(args);
    const out = backend.makeOutput(layout.shape, 'float32');
    const [aOffset, bOffset, outOffset] = [a, b, out].map((info) => memoryOffset(backend, info)) as [number, number, number];
    const threads = size >= THREADED_MIN_SIZE ? kernels.threads : 1;
    // Each thread's range starts at a multiple of the repeating operand's length (or of a vector).
    const unit = Math.max(4, layout.aLength, layout.bLength);
    const units = Math.ceil(size / unit);
    kernels.parallel('binary', threads, (t) => {
      const [start, end] = [t, t + 1].map((i) => Math.min(size, unit * Math.floor((i * units) / threads))) as [number, number];
      return [op, aOffset, bOffset, outOffset, start, t === threads - 1 ? size : end, layout.aLength, layout.bLength];
    });
    return out;
  };
  return { ...original, kernelFunc };
}
