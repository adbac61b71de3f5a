/**
 * The gradients of a 2-D convolution on the wasm backend, each as im2col and
 * one matrix product, which XNNPACK runs. The backend has no
 * Conv2DBackpropFilter at all, so no CNN trains on it, and its
 * Conv2DBackpropInput is a scalar loop. Both take NHWC tensors only, as the
 * backend's Conv2D does; tfjs-layers transposes channels-first input itself.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { disposeIntermediate, heapF32, runKernel, type KernelArgs } from './kernelUtil';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

interface BackpropAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dW = patchesᵀ · dy, with one row of patches per output pixel. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const wasm = backend as BackendWasm;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { filterShape, ...rest } = attrs as unknown as BackpropAttrs & { filterShape: [number, number, number, number] };
    const info = convInfo(x.shape as [number, number, number, number], filterShape, rest);
    const patches = wasm.makeOutput([info.batchSize * info.outHeight * info.outWidth, patchSize(info)], 'float32');
    im2col(heapF32(wasm, x), heapF32(wasm, patches), info);
    const dyRows = { ...dy, shape: [patches.shape[0]!, info.outChannels] };
    const dW = runKernel(tf.BatchMatMul, wasm, { a: patches, b: dyRows }, { transposeA: true, transposeB: false });
    disposeIntermediate(wasm, patches);
    return { ...dW, shape: filterShape };
  },
};

/** dx = col2im(dy · Wᵀ), with W as a (patch × output channel) matrix. */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { inputShape, ...rest } = attrs as unknown as BackpropAttrs & { inputShape: [number, number, number, number] };
    const info = convInfo(inputShape, filter.shape as [number, number, number, number], rest);
    const dyRows = { ...dy, shape: [info.batchSize * info.outHeight * info.outWidth, info.outChannels] };
    const filterRows = { ...filter, shape: [patchSize(info), info.outChannels] };
    const columns = runKernel(tf.BatchMatMul, wasm, { a: dyRows, b: filterRows }, { transposeA: false, transposeB: true });
    const dx = wasm.makeOutput(inputShape, 'float32');
    col2im(heapF32(wasm, columns), heapF32(wasm, dx), info);
    disposeIntermediate(wasm, columns);
    return dx;
  },
};

function convInfo(inShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: BackpropAttrs): Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`wasm backend convolution gradients do not support dataFormat '${attrs.dataFormat}'. Please use 'NHWC'.`);
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

function patchSize(info: Conv2DInfo): number {
  return info.filterHeight * info.filterWidth * info.inChannels;
}

/**
 * Calls `visit(patchOffset, inputOffset)` for every (output pixel, filter
 * position) pair, in patch order: inputOffset is where the pixel's channels
 * start in the NHWC input, or -1 in the padding.
 */
function forEachPatchPixel(info: Conv2DInfo, visit: (patchOffset: number, inputOffset: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  let patchOffset = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - padInfo.top + kh * dilationHeight;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth - padInfo.left + kw * dilationWidth;
            const inside = ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth;
            visit(patchOffset, inside ? ((b * inHeight + ih) * inWidth + iw) * inChannels : -1);
            patchOffset += inChannels;
          }
        }
      }
    }
  }
}

function im2col(x: Float32Array, patches: Float32Array, info: Conv2DInfo): void {
  const channels = info.inChannels;
  forEachPatchPixel(info, (to, from) => {
    if (from < 0) patches.fill(0, to, to + channels);
    else for (let c = 0; c < channels; c++) patches[to + c] = x[from + c];
  });
}

function col2im(columns: Float32Array, dx: Float32Array, info: Conv2DInfo): void {
  const channels = info.inChannels;
  dx.fill(0);
  forEachPatchPixel(info, (from, to) => {
    if (to >= 0) for (let c = 0; c < channels; c++) dx[to + c] += columns[from + c];
  });
}
