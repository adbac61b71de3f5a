/**
 * Adam's steps for test/backends.test.ts, in the test's process or in one
 * of its own that starts the threaded wasm build.
 */
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import { selectBackend } from '../trainer/backends';
import { buildModel } from '../trainer/buildModel';
import '../trainer/layers';
import { createOptimizer } from '../trainer/optimizers';

/** Odd sizes, a single element, and a row longer than any vector width. */
export const ADAM_SHAPES = [[1], [7], [3, 5], [33, 17], [1, 129]];

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
}

const random = (shape: number[], seed: number): tf.Tensor => tf.tensor(values(tf.util.sizeFromShape(shape), seed), shape);

/** The Adam a train block's optimizer line makes, `epsilon` its last argument or none. */
export function adamOfBlock(epsilon: string): tf.Optimizer {
  const text = `model M {\n  input [3]\n  Dense(2)\n}\n\ntrain M {\n  data = blobs(samples=8, centers=2, features=3)\n  loss = mean_squared_error\n  optimizer = Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.95${epsilon})\n  epochs = 1\n}\n`;
  return createOptimizer(analyze(text).trainBlocks[0]!.optimizer);
}

export interface Steps {
  /** The variables of ADAM_SHAPES after four steps, then their first moments, then their second. */
  values: number[][];
  /** The kernels the second step ran. */
  kernels: string[];
}

/** Four steps of `optimizer` on `backend` with the same gradients, large and small. */
export async function fourSteps(backend: 'cpu' | 'wasm', optimizer: () => tf.Optimizer): Promise<Steps> {
  await selectBackend(backend);
  const adam = optimizer();
  const variables = ADAM_SHAPES.map((shape, i) => tf.variable(random(shape, 40 + i), true, `adam-${backend}-${i}-${Math.random()}`));
  let kernels: string[] = [];
  for (let step = 0; step < 4; step++) {
    const gradients = Object.fromEntries(variables.map((v, i) => [v.name, random(v.shape, 60 + 10 * step + i).mul(step % 2 ? 0.1 : 3)]));
    const profile = await tf.profile(() => adam.applyGradients(gradients));
    if (step === 1) kernels = profile.kernels.map((k) => k.name);
    tf.dispose(Object.values(gradients));
  }
  const moments = (await adam.getWeights()).slice(1).map((w) => Array.from(w.tensor.dataSync()));
  const result = { values: [...variables.map((v) => Array.from(v.dataSync())), ...moments], kernels };
  tf.dispose(variables);
  adam.dispose();
  return result;
}

export interface Fit {
  losses: number[];
  /** Tensors more after each epoch than after the one before. */
  leaks: number[];
}

/** A small MLP fitted four epochs from the same weights, twice, with the train block's Adam, on the backend that runs. */
export async function fitTwice(): Promise<Fit[]> {
  const fit = async (): Promise<Fit> => {
    const model = buildModel(analyze('model M {\n  input [9]\n  Dense(13, activation=relu)\n  Dense(3, activation=softmax)\n}').models[0]!.network);
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, 70 + i).map((v) => v * 0.5), w.shape)));
    model.compile({ optimizer: adamOfBlock(''), loss: 'categoricalCrossentropy' });
    const x = random([21, 9], 80);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 21 }, (_, i) => i % 3), 'int32'), 3);
    const counts: number[] = [];
    const history = await model.fit(x, y, { batchSize: 5, epochs: 4, shuffle: false, verbose: 0, callbacks: { onEpochEnd: async () => void counts.push(tf.memory().numTensors) } });
    tf.dispose([x, y]);
    model.dispose();
    return { losses: history.history['loss'] as number[], leaks: counts.slice(1).map((n, i) => n - counts[i]!) };
  };
  return [await fit(), await fit()];
}
