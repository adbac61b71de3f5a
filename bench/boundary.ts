/**
 * The decision boundary's cost per grid: the 64 × 64 predict of the
 * trainer's callback and the size of its event, for a small and a wider
 * two-feature classifier, beside one epoch of `model.fit` of the same model
 * on the same data (moons, 1,000 samples, batch 32), in the same process.
 */
import { analyze } from '../core';
import type { TrainerEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { buildModel } from '../trainer/buildModel';
import { DecisionBoundary } from '../trainer/callbacks/boundary';
import { memberState } from '../trainer/callbacks/callback';
import { prepareData } from '../trainer/dataset';
import { BestTracker, defaultBestRule } from '../trainer/monitors';

const MODELS: { name: string; layers: string; units: number }[] = [
  { name: 'MLP 2-16-1 (sigmoid)', layers: 'Dense(16, activation=relu)\n  Dense(1, activation=sigmoid)', units: 1 },
  { name: 'MLP 2-128-128-3 (softmax)', layers: 'Dense(128, activation=relu)\n  Dense(128, activation=relu)\n  Dense(3, activation=softmax)', units: 3 },
];

const source = (layers: string, units: number) => `model M {
  input [2]
  ${layers}
}

train M {
  data = ${units === 1 ? 'moons(samples=1000, noise=0.2)' : 'blobs(samples=1000, centers=3)'}
  loss = ${units === 1 ? 'binary_crossentropy' : 'categorical_crossentropy'}
  batch_size = 32
  epochs = 20
  seed = 1
}
`;

export interface BoundaryCost {
  backend: string;
  models: { name: string; gridMs: number; bytes: number; epochMs: number }[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measureBoundary(grids = 20): Promise<BoundaryCost> {
  const { backend } = await selectBackend('auto');
  const models: BoundaryCost['models'] = [];
  for (const { name, layers, units } of MODELS) {
    const analysis = analyze(source(layers, units));
    const block = analysis.trainBlocks[0]!;
    const network = block.models[0]!;
    const data = await prepareData(block, network, { baseDir: '.', seed: 1 });
    const model = buildModel(network);
    model.compile({ optimizer: 'adam', loss: units === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy' });
    const epochs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await model.fit(data.train.x, data.train.y, { epochs: 1, batchSize: 32, verbose: 0 });
      epochs.push(performance.now() - start);
    }
    const sizes: number[] = [];
    const state = memberState({ member: 0, seed: 1, epochs: [], batches: [] }, new BestTracker(defaultBestRule(false)));
    const boundary = new DecisionBoundary(state, model, data, { stopRequested: false }, (event: TrainerEvent) => sizes.push(JSON.stringify(event).length), {
      label: { model: 'M' },
      epochs: grids,
      path: '',
    });
    const times: number[] = [];
    for (let epoch = 0; epoch < grids; epoch++) {
      const start = performance.now();
      boundary.onEpochEnd(epoch);
      times.push(performance.now() - start);
    }
    // The first grid also carries the points: the size is that of the others.
    models.push({ name, gridMs: median(times), bytes: median(sizes.slice(1)), epochMs: median(epochs) });
    model.dispose();
    data.dispose();
  }
  return { backend, models };
}

export function formatBoundary(cost: BoundaryCost): string[] {
  return [
    `Decision boundary per grid (64 × 64 points, one predict) on ${cost.backend}, beside one epoch of the same model on 1,000 samples at batch 32`,
    ...cost.models.map((m) => `  ${m.name.padEnd(26)} grid ${m.gridMs.toFixed(2)} ms median · event ${(m.bytes / 1024).toFixed(1)} KiB · epoch ${m.epochMs.toFixed(1)} ms (${((m.gridMs / m.epochMs) * 100).toFixed(1)}% of it)`),
  ];
}
