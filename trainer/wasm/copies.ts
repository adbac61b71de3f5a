/**
 * The data copies of a training step that the wasm backend makes slowly or
 * needlessly.
 *
 * Identity: the backend copies the whole tensor, some 12 ms a step of the
 * digits CNN at batch 64 (bench/profile.ts); here the result shares the
 * input's data, as the backend's own Reshape and the cpu backend's Identity do.
 *
 * Cast to the dtype a tensor has already: the backend copies it too (2.8 ms
 * a step of the digits CNN); here it is shared as by Identity.
 *
 * GatherV2 as one copy per slice. The backend's own
 * kernel computes each element's address in a loop of its own: 4.4 ms to
 * gather a batch of 128 rows of 784 floats, the batch that every step of
 * `model.fit` takes out of the training set (bench/profile.ts counts it
 * among the data copies, 20% of the course MLP's step at batch 128). Here
 * each index moves its whole slice with one `copyWithin` on the heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { memoryOffset, type KernelArgs } from './kernelUtil';

interface GatherAttrs {
  axis: number;
  batchDims: number;
}

/** `original`, the backend's GatherV2, which still serves the dtypes this does not (strings). */
export function withSliceCopies(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const backend = args.backend as BackendWasm;
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    if (x.dtype === 'string' || x.dtype === 'complex64') return original.kernelFunc(args);
    const { axis, batchDims } = args.attrs as unknown as GatherAttrs;
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const values = backend.readSync(indices.dataId) as ArrayLike<number>;
    const dimSize = x.shape[parsedAxis]!;
    for (let i = 0; i < values.length; i++) {
      const index = values[i]!;
      // The backend's own message, as tfjs's other backends give it.
      tf.util.assert(index <= dimSize - 1 && index >= 0, () => `GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
    }
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.Tensor, indices as tf.Tensor, parsedAxis, batchDims);
    const out = backend.makeOutput(info.outputShape, x.dtype);
    if (tf.util.sizeFromShape(info.outputShape) === 0) return out;
    const bytes = tf.util.bytesPerElement(x.dtype);
    const slice = info.sliceSize * bytes;
    const perBatch = values.length / info.batchSize;
    // The heap's view now: makeOutput above may have grown it.
    const heap = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8;
    const [from, to] = [memoryOffset(backend, x), memoryOffset(backend, out)];
    let target = to;
    for (let b = 0; b < info.batchSize; b++) {
      for (let o = 0; o < info.outerSize; o++) {
        const source = from + (b * info.outerSize + o) * info.dimSize * slice;
        for (let t = 0; t < perBatch; t++) {
          const start = source + values[b * perBatch + t]! * slice;
          heap.copyWithin(target, start, start + slice);
          target += slice;
        }
      }
    }
    return out;
  };
  return { ...original, kernelFunc };
}

/** Identity as a second reference to the same data; strings, which live outside the heap, as the backend copies them. */
export function sharedIdentity(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...original, kernelFunc };
}

/** Cast to the same dtype as a second reference; every other cast as the backend makes it. */
export function sharedSameCast(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const x = args.inputs['x']!;
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    if (x.dtype !== dtype || dtype === 'string') return original.kernelFunc(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype };
  };
  return { ...original, kernelFunc };
}
