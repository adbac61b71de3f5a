/**
 * MaxPoolGrad for the wasm backend. The backend's own kernel starts its
 * search for the maximum at the smallest positive float instead of the
 * lowest one, so a window whose values are all at most zero sends its
 * gradient to the tensor's first element instead of the window's maximum:
 * wrong after a BatchNormalization or a linear convolution.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, memoryOffset, type KernelArgs } from './kernelUtil';
import { ownKernels } from './ownKernels';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx gets each output's dy at the first maximum of its window, in window order, as on the cpu backend. */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const wasm = backend as BackendWasm;
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as PoolAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const out = wasm.makeOutput(input.shape, 'float32');
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, padInfo } = info;
    const kernels = ownKernels(wasm);
    if (kernels) {
      const [x, dyOffset, dx] = [input, dy, out].map((tensor) => memoryOffset(wasm, tensor)) as [number, number, number];
      const { effectiveFilterHeight, effectiveFilterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
      kernels.exports.maxPoolGrad(x, dyOffset, dx, batchSize, inHeight, inWidth, channels, outHeight, outWidth, effectiveFilterHeight, effectiveFilterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo.top, padInfo.left);
      return out;
    }
    const [x, dyValues, dx] = [heapF32(wasm, input), heapF32(wasm, dy), heapF32(wasm, out)];
    const best = new Float32Array(channels);
    const at = new Int32Array(channels);
    dx.fill(0);
    let dyOffset = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          best.fill(-Infinity);
          at.fill(-1);
          for (let kh = 0; kh < info.effectiveFilterHeight; kh += info.dilationHeight) {
            const ih = oh * info.strideHeight - padInfo.top + kh;
            if (ih < 0 || ih >= inHeight) continue;
            for (let kw = 0; kw < info.effectiveFilterWidth; kw += info.dilationWidth) {
              const iw = ow * info.strideWidth - padInfo.left + kw;
              if (iw < 0 || iw >= inWidth) continue;
              const base = ((b * inHeight + ih) * inWidth + iw) * channels;
              for (let c = 0; c < channels; c++) {
                if (x[base + c] > best[c]) {
                  best[c] = x[base + c];
                  at[c] = base + c;
                }
              }
            }
          }
          for (let c = 0; c < channels; c++) if (at[c] >= 0) dx[at[c]] += dyValues[dyOffset + c];
          dyOffset += channels;
        }
      }
    }
    return out;
  },
};
