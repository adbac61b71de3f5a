/**
 * The gradients of a 2-D convolution on the wasm backend, each as im2col and
 * one matrix product, which XNNPACK runs. The backend has no
 * Conv2DBackpropFilter at all, so no CNN trains on it, and its
 * Conv2DBackpropInput is a scalar loop. Both take NHWC tensors only, as the
 * backend's Conv2D does; tfjs-layers transposes channels-first input itself.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, memoryOffset, reshaped, runKernel, withTemporaries, type KernelArgs } from './kernelUtil';
import { ownKernels } from './ownKernels';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

interface BackpropAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * A 2-D convolution as im2col and one product by the trainer's kernels
 * (./ownKernels), where they run and the convolution has no dilation; the
 * backend's own (XNNPACK, which packs the filter anew each step) otherwise:
 * 9.7 ms for the digits CNN's second convolution at batch 64.
 */
export function withOwnConv2D(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const wasm = args.backend as BackendWasm;
    const kernels = ownKernels(wasm);
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as BackpropAttrs & { dilations?: number | [number, number] };
    const dilations = attrs.dilations ?? 1;
    const undilated = Array.isArray(dilations) ? dilations.every((d) => d === 1) : dilations === 1;
    if (!kernels || attrs.dataFormat !== 'NHWC' || !undilated || x.dtype !== 'float32' || filter.dtype !== 'float32') return original.kernelFunc(args);
    const info = convInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs);
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const y = withTemporaries(wasm, (temp) => {
      const patches = temp(wasm.makeOutput([rows, patchSize(info)], 'float32'));
      kernels.exports.patches(memoryOffset(wasm, x), memoryOffset(wasm, patches), 0, ...geometry(info));
      return runKernel(tf.BatchMatMul, wasm, { a: patches, b: reshaped(filter, [patchSize(info), info.outChannels]) }, { transposeA: false, transposeB: false });
    });
    return reshaped(y, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
  };
  return { ...original, kernelFunc };
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
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const dW = withTemporaries(wasm, (temp) => {
      const patches = temp(wasm.makeOutput([rows, patchSize(info)], 'float32'));
      const kernels = ownKernels(wasm);
      if (kernels) kernels.exports.patches(memoryOffset(wasm, x), memoryOffset(wasm, patches), 0, ...geometry(info));
      else im2col(heapF32(wasm, x), heapF32(wasm, patches), info);
      return runKernel(tf.BatchMatMul, wasm, { a: patches, b: reshaped(dy, [rows, info.outChannels]) }, { transposeA: true, transposeB: false });
    });
    return reshaped(dW, filterShape);
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
    const dyRows = reshaped(dy, [info.batchSize * info.outHeight * info.outWidth, info.outChannels]);
    const filterRows = reshaped(filter, [patchSize(info), info.outChannels]);
    return withTemporaries(wasm, (temp) => {
      const columns = temp(runKernel(tf.BatchMatMul, wasm, { a: dyRows, b: filterRows }, { transposeA: false, transposeB: true }));
      const dx = wasm.makeOutput(inputShape, 'float32');
      const kernels = ownKernels(wasm);
      if (kernels) kernels.exports.patches(memoryOffset(wasm, dx), memoryOffset(wasm, columns), 1, ...geometry(info));
      else col2im(heapF32(wasm, columns), heapF32(wasm, dx), info);
      return dx;
    });
  },
};

function convInfo(inShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: BackpropAttrs): Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`wasm backend convolution gradients do not support dataFormat '${attrs.dataFormat}'. Please use 'NHWC'.`);
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/** The convolution's sizes as the trainer's `patches` kernel takes them (wasm/kernels.ts). */
function geometry(info: Conv2DInfo): [number, number, number, number, number, number, number, number, number, number, number, number] {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return [batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left];
}

function patchSize(info: Conv2DInfo): number {
  return info.filterHeight * info.filterWidth * info.inChannels;
}

/**
 * Walks the patches row by row (one row per output pixel and filter row) and
 * calls `visit(patchOffset, inputOffset, length)` for each run of `length`
 * values that is contiguous in the NHWC input, or lies in the padding
 * (inputOffset −1). The gradients have no dilation, so a filter row covers
 * adjacent input pixels.
 */
function forEachRun(info: Conv2DInfo, visit: (patchOffset: number, inputOffset: number, length: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const rowLength = filterWidth * inChannels;
  let patchOffset = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - padInfo.left;
        // The filter columns [first, last) that fall inside the input.
        const first = Math.max(0, -left);
        const last = Math.min(filterWidth, inWidth - left);
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - padInfo.top + kh;
          if (ih < 0 || ih >= inHeight || first >= last) {
            visit(patchOffset, -1, rowLength);
          } else {
            if (first > 0) visit(patchOffset, -1, first * inChannels);
            visit(patchOffset + first * inChannels, ((b * inHeight + ih) * inWidth + left + first) * inChannels, (last - first) * inChannels);
            if (last < filterWidth) visit(patchOffset + last * inChannels, -1, (filterWidth - last) * inChannels);
          }
          patchOffset += rowLength;
        }
      }
    }
  }
}

/** Below this many values a loop copies faster than set() of a subarray (measured: 2.0 against 6.9 ms for runs of 3, 4.4 against 2.1 ms for runs of 96). */
const SHORT_RUN = 32;

function im2col(x: Float32Array, patches: Float32Array, info: Conv2DInfo): void {
  forEachRun(info, (to, from, length) => {
    if (from < 0) patches.fill(0, to, to + length);
    else if (length >= SHORT_RUN) patches.set(x.subarray(from, from + length), to);
    else for (let i = 0; i < length; i++) patches[to + i] = x[from + i];
  });
}

function col2im(columns: Float32Array, dx: Float32Array, info: Conv2DInfo): void {
  dx.fill(0);
  forEachRun(info, (from, to, length) => {
    if (to >= 0) for (let i = 0; i < length; i++) dx[to + i] += columns[from + i];
  });
}
