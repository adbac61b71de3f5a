/**
 * Makes the wasm backend fit for training: faster kernels where its own are
 * slow, the gradient kernels it lacks, and Adam's update as one kernel.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { adamUpdateConfig } from './adam';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig, withOwnConv2D } from './conv';
import { withOwnBatchNorm } from './batchNorm';
import { sharedIdentity, sharedSameCast, withSliceCopies } from './copies';
import { BINARY_OPS, withOwnBinary } from './elementwise';
import { broadcastingGradient } from './gradients';
import { withOwnProduct } from './matMul';
import { maxPoolGradConfig } from './pool';
import { REDUCTIONS, withMergedAxes } from './reduce';
import { unsortedSegmentSumConfig } from './segments';
import { tileConfig } from './tile';

let installed = false;

/** Registers the overrides and the added kernels for the wasm backend; later calls do nothing. */
export function installWasmKernels(): void {
  if (installed) return;
  // The backend's own kernels, called with arguments that keep them on their fast paths.
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) replace(withOwnProduct(tf.getKernel(name, 'wasm')));
  for (const name of Object.keys(REDUCTIONS)) replace(withMergedAxes(tf.getKernel(name, 'wasm')));
  replace(withSliceCopies(tf.getKernel(tf.GatherV2, 'wasm')!));
  replace(sharedIdentity(tf.getKernel(tf.Identity, 'wasm')!));
  replace(sharedSameCast(tf.getKernel(tf.Cast, 'wasm')!));
  replace(withOwnBatchNorm(tf.getKernel(tf.FusedBatchNorm, 'wasm')!));
  replace(withOwnConv2D(tf.getKernel(tf.Conv2D, 'wasm')!));
  for (const name of Object.keys(BINARY_OPS)) replace(withOwnBinary(tf.getKernel(name, 'wasm')!));
  // Replacements: the backend's Tile and Conv2DBackpropInput are slow loops, its MaxPoolGrad is wrong for windows of values ≤ 0.
  for (const config of [tileConfig, conv2DBackpropInputConfig, maxPoolGradConfig]) replace(config);
  // Missing: no CNN or Embedding trains without these.
  for (const config of [conv2DBackpropFilterConfig, unsortedSegmentSumConfig]) tf.registerKernel(config);
  // Gradients that make no tensor of ones in JavaScript on wasm (tfjs's own elsewhere).
  for (const name of [tf.Sum, tf.Mean] as const) tf.registerGradient(broadcastingGradient(name));
  // Adam's update in one pass per variable, which FusedAdamOptimizer runs where it is registered.
  tf.registerKernel(adamUpdateConfig);
  installed = true;
}

/** Registers `config` in place of the kernel registered for its name now (tfjs refuses a second registration). */
function replace(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
}
