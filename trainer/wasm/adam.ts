/**
 * Adam's update as one pass per variable. tfjs's Adam runs a dozen
 * elementwise kernels per variable, each a pass over the whole tensor: on
 * the course MLP's 1.5 million weights that was 18–26% of a wasm training
 * step at batch 128 on two threads, and 32–39% at batch 32 on one
 * (bench/profile.ts). Here the moments and the weight are read once and
 * written once, by a loop over the wasm heap, with the same formula.
 *
 * It runs as the trainer's SIMD kernel (./ownKernels, split over its
 * threads for large variables): 17.8 → 3.0 ms a step at batch 32 and
 * 19.4 → 2.9 at batch 128 (bench/profile.ts). Where those kernels do not
 * run, a scalar JavaScript loop does, on the threaded build only: some 5 ns
 * an element, it halved the update against the backend's kernels on two
 * threads (29 → 13 ms a step at batch 128) but was no faster on one.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, memoryOffset, type KernelArgs } from './kernelUtil';
import { ownKernels, type OwnKernels } from './ownKernels';

/** The kernel's name: not one of tfjs's, so that no other backend has it unless registered. */
export const ADAM_UPDATE = 'LayerwiseAdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − beta1^t and 1 − beta2^t, the bias corrections of step t. */
  correction1: number;
  correction2: number;
}

/** Inputs value, gradient, m, v (float32, one shape); outputs the new value, m and v. */
export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const wasm = backend as BackendWasm;
    const { value, gradient, m, v } = inputs as Record<'value' | 'gradient' | 'm' | 'v', tf.TensorInfo>;
    const outputs = [value, m, v].map((input) => wasm.makeOutput(input.shape, 'float32'));
    const kernels = ownKernels(wasm);
    if (kernels) {
      ownAdamStep(wasm, kernels, [value, gradient, m, v, ...outputs], attrs as unknown as AdamUpdateAttrs);
      return outputs;
    }
    // Views after every allocation, which may move the heap.
    const [w, g, m0, v0] = [value, gradient, m, v].map((info) => heapF32(wasm, info)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const [w1, m1, v1] = outputs.map((info) => heapF32(wasm, info)) as [Float32Array, Float32Array, Float32Array];
    adamStep(w, g, m0, v0, w1, m1, v1, attrs as unknown as AdamUpdateAttrs);
    return outputs;
  },
};

/**
 * One Adam step over plain arrays, as tfjs-core's AdamOptimizer computes it:
 * m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², w' = w − lr·(m'/c1) / (√(v'/c2) + ε).
 * The arithmetic is in double precision, rounded to float32 on storing.
 */
export function adamStep(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  wOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
  { learningRate, beta1, beta2, epsilon, correction1, correction2 }: AdamUpdateAttrs,
): void {
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  // lr·(m'/c1) / (√(v'/c2) + ε) = (lr/c1)·m' / (√v'·(1/√c2) + ε): one square root and one division an element.
  const step = learningRate / correction1;
  const scale = 1 / Math.sqrt(correction2);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + keep1 * gi;
    const vi = beta2 * v[i]! + keep2 * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = w[i]! - (step * mi) / (Math.sqrt(vi) * scale + epsilon);
  }
}

/** Variables smaller than this run on one thread: waking the others costs more. */
const THREADED_MIN_SIZE = 1 << 16;

/** The step by the trainer's SIMD kernel (./ownKernels), over ranges of the variable split between its threads. */
function ownAdamStep(backend: BackendWasm, kernels: OwnKernels, tensors: tf.TensorInfo[], attrs: AdamUpdateAttrs): void {
  const [w, g, m, v, wOut, mOut, vOut] = tensors.map((info) => memoryOffset(backend, info)) as number[];
  const size = tf.util.sizeFromShape(tensors[0]!.shape);
  const threads = size >= THREADED_MIN_SIZE ? kernels.threads : 1;
  const { learningRate, beta1, beta2, epsilon, correction1, correction2 } = attrs;
  kernels.parallel('adam', threads, (t) => {
    // Whole vectors of 4 to each thread but the last.
    const [start, end] = [t, t + 1].map((i) => (i === threads ? size : 4 * Math.floor((i * size) / (4 * threads))));
    return [w!, g!, m!, v!, wOut!, mOut!, vOut!, start!, end!, beta1, beta2, learningRate / correction1, 1 / Math.sqrt(correction2), epsilon];
  });
}

/** The parts of tfjs's AdamOptimizer that are private in its declarations. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * Whether the update runs as ADAM_UPDATE: on the wasm backend where it is
 * registered (./index), by the SIMD kernel where it runs, else by the
 * JavaScript loop on the threaded build only.
 */
function fusedUpdate(): boolean {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(ADAM_UPDATE, 'wasm') === undefined) return false;
  return getThreadsCount() > 1 || ownKernels(tf.backend() as BackendWasm) !== undefined;
}

/**
 * tfjs's Adam, whose update runs as ADAM_UPDATE on the threaded wasm
 * backend and as tfjs's own kernels elsewhere. Its state (the
 * moments, β^t, the iterations) is tfjs's, so saving, restoring and the
 * learning-rate schedule work on it unchanged.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!fusedUpdate()) return super.applyGradients(variableGradients);
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    // β^t, read once a step: two scalars.
    const correction1 = 1 - state.accBeta1.dataSync()[0]!;
    const correction2 = 1 - state.accBeta2.dataSync()[0]!;
    const attrs: AdamUpdateAttrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, correction1, correction2 };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const inputs = { value, gradient, m, v } as unknown as tf.NamedTensorMap;
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
