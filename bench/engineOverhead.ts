/**
 * The engine's own cost: the course MLP trained through `runTraining`
 * (events, history, monitors) against a bare `model.fit` of the same model
 * on the same data and backend, in the same process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import type { EpochEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { buildModel } from '../trainer/buildModel';
import { runTraining } from '../trainer/engine';

/** The course MLP's file: also what the distributions' cost is measured on (distributionsCost.ts). */
export const COURSE_MLP = (epochs: number, batch: number): string => `model CourseMLP {
  input [784]
  Dense(1024, activation=relu)
  Dense(512, activation=relu)
  Dense(256, activation=relu)
  Dense(24, activation=softmax)
}

train CourseMLP {
  data = blobs(samples=4096, centers=24, features=784)
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.001)
  metrics = [accuracy]
  epochs = ${epochs}
  batch_size = ${batch}
  seed = 1
}
`;

export interface EngineOverhead {
  backend: string;
  engineSeconds: number;
  bareSeconds: number;
  /** engine / bare − 1. */
  overhead: number;
}

/** The course MLP written into a fresh scratch folder (the caller removes it), and the backend it trains on, started. */
export async function courseMlpFile(epochs: number, batch: number): Promise<{ dir: string; file: string; backend: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-'));
  const file = join(dir, 'mlp.net');
  writeFileSync(file, COURSE_MLP(epochs, batch));
  const { backend } = await selectBackend('auto');
  return { dir, file, backend };
}

export async function measureEngineOverhead(epochs = 2, batch = 128): Promise<EngineOverhead> {
  const { dir, file, backend } = await courseMlpFile(epochs, batch);

  // Bare fits before and after the engine's run, so warm-up and drift fall on both sides.
  const before = await bareFit(epochs, batch);
  const seconds: number[] = [];
  await runTraining({ type: 'start', file, runsDir: join(dir, 'runs') }, (event) => {
    if (event.type === 'epoch') seconds.push((event as EpochEvent).seconds);
    if (event.type === 'failed') throw new Error(event.message);
  }, { stopRequested: false });
  const engineSeconds = seconds.reduce((a, b) => a + b, 0);
  const bareSeconds = (before + (await bareFit(epochs, batch))) / 2;
  return { backend, engineSeconds, bareSeconds, overhead: engineSeconds / bareSeconds - 1 };
}

async function bareFit(epochs: number, batch: number): Promise<number> {
  const network = analyze(COURSE_MLP(epochs, batch)).models[0]!.network;
  const model = buildModel(network);
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.randomUniform([4096, 784]);
  const y = tf.oneHot(tf.randomUniform([4096], 0, 24, 'int32'), 24).cast('float32');
  const start = performance.now();
  await model.fit(x, y, { epochs, batchSize: batch, shuffle: true, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return seconds;
}
