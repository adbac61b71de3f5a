/**
 * Makes the wasm backend fit for training: faster kernels where its own are
 * slow, and the gradient kernels it lacks.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv';
import { withPlainOperands } from './matMul';
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
  // Replaces the backend's scalar loop.
  tf.unregisterKernel(tf.Conv2DBackpropInput, 'wasm');
  for (const config of [conv2DBackpropInputConfig, conv2DBackpropFilterConfig, unsortedSegmentSumConfig]) tf.registerKernel(config);
  installed = true;
}
