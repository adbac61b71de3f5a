/**
 * Helpers for kernels that run on the wasm backend and are written in
 * TypeScript: they call the backend's own kernels and read or write the
 * tensors where they live, in the WebAssembly heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The wasm backend's kernel `name` as registered now, so that the overrides here apply to each other. */
export function runKernel(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/**
 * The same data under another shape of the same size, as the backend's
 * Reshape gives but without a reference of its own: for a kernel's inputs
 * and its result, never to be freed apart from `x`.
 */
export function reshaped(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { ...x, shape };
}

/** A copy of `x` with its last two axes swapped. */
export function transposeLastTwo(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return runKernel('Transpose', backend, { x }, { perm });
}

/**
 * Runs `body`, which passes each tensor it makes for itself through `temp`;
 * they are freed when it returns or throws (the engine does not know them).
 */
export function withTemporaries<T>(backend: BackendWasm, body: (temp: (info: tf.TensorInfo) => tf.TensorInfo) => T): T {
  const made: tf.TensorInfo[] = [];
  try {
    return body((info) => {
      made.push(info);
      return info;
    });
  } finally {
    for (const info of made) backend.disposeData(info.dataId);
  }
}

/** A float32 view of a tensor in the heap; take it after every allocation, which may move the heap. */
export function heapF32(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Where a tensor's data starts in the heap, in bytes; valid until it is freed (the heap grows in place). */
export function memoryOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  return (backend as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(info.dataId).memoryOffset;
}
