/**
 * Makes the wasm backend fit for training: faster kernels where its own are
 * slow, and the gradient kernels it lacks.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv';
import { withPlainOperands } from './matMul';
import { maxPoolGradConfig } from './pool';
import { unsortedSegmentSumConfig } from './segments';

let installed = false;

/** Registers the overrides and the added kernels for the wasm backend; later calls do nothing. */
export function installWasmKernels(): void {
  if (installed) return;
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, 'wasm');
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(withPlainOperands(original));
  }
  // Replacements: the backend's Conv2DBackpropInput is a scalar loop, its MaxPoolGrad is wrong for windows of values ≤ 0.
  for (const config of [conv2DBackpropInputConfig, maxPoolGradConfig]) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  // Missing: no CNN or Embedding trains without these.
  for (const config of [conv2DBackpropFilterConfig, unsortedSegmentSumConfig]) tf.registerKernel(config);
  installed = true;
}
