/**
 * UnsortedSegmentSum for the wasm backend, which lacks it. It is the
 * gradient of a gather, so every Embedding layer needs it to train.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelArgs } from './kernelUtil';

/** out[s] = Σ x[i] over the i with segmentIds[i] = s; ids outside [0, numSegments) are dropped, as on the cpu backend. */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const wasm = backend as BackendWasm;
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = (attrs as { numSegments: number }).numSegments;
    const rows = tf.util.sizeFromShape(segmentIds.shape);
    const rowSize = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
    const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
    const values = wasm.typedArrayFromHeap(x);
    const ids = wasm.typedArrayFromHeap(segmentIds);
    const sums = wasm.typedArrayFromHeap(out);
    sums.fill(0);
    for (let i = 0; i < rows; i++) {
      const segment = ids[i];
      if (segment < 0 || segment >= numSegments) continue;
      const from = i * rowSize;
      const to = segment * rowSize;
      for (let j = 0; j < rowSize; j++) sums[to + j] += values[from + j];
    }
    return out;
  },
};
