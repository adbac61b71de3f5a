/**
 * FusedBatchNorm (batch normalization's forward pass) on the wasm backend by
 * the trainer's SIMD kernel (wasm/kernels.ts): the backend's own took 8.6 ms
 * for the digits CNN's [64, 26, 26, 32] at batch 64, some 7% of its step
 * (bench/profile.ts), for one pass over memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { memoryOffset, type KernelArgs } from './kernelUtil';
import { ownKernels } from './ownKernels';

/** `original` where the kernels do not run, or for statistics that are not one value per channel (the last axis). */
export function withOwnBatchNorm(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const kernels = ownKernels(backend);
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const channels = x?.shape[x.shape.length - 1] ?? 0;
    const perChannel = (t: tf.TensorInfo | undefined): boolean => !t || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === channels && (t.shape.length === 0 || t.shape[t.shape.length - 1] === channels));
    if (!kernels || !x || x.dtype !== 'float32' || channels === 0 || ![mean, variance].every((t) => t && perChannel(t)) || !perChannel(offset) || !perChannel(scale)) return original.kernelFunc(args);
    const out = backend.makeOutput(x.shape, 'float32');
    const rows = tf.util.sizeFromShape(x.shape) / channels;
    if (rows === 0) return out;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const offsetOf = (t: tf.TensorInfo | undefined): number => (t ? memoryOffset(backend, t) : 0);
    kernels.exports.batchNorm(offsetOf(x), offsetOf(out), rows, channels, offsetOf(mean), offsetOf(variance), offsetOf(offset), offsetOf(scale), varianceEpsilon, kernels.scratch(0, channels));
    return out;
  };
  return { ...original, kernelFunc };
}
