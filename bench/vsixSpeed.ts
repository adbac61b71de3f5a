/**
 * The .vsix's trainer against the command line's, in the same run: the
 * self-contained bundle that the extension ships (dist/standalone/trainer.js,
 * its wasm files and the trainer's kernels beside or inside it, no
 * node_modules) and the trainer that `layerwise train` starts
 * (dist/trainer.js, TensorFlow.js from node_modules), each training the
 * course MLP at batch 128 on random blobs, taking turns. The figure is the
 * median samples/s of the epochs after the first, as the panel shows them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EpochEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';
import { repoRoot } from '../test/support';
import { LAYERS } from './trainSpeed';

export interface VsixSpeed {
  /** Median samples/s of each trainer, over its rounds. */
  vsix: number;
  cli: number;
  rounds: number;
}

const TRAINERS = { vsix: join(repoRoot, 'dist', 'standalone', 'trainer.js'), cli: join(repoRoot, 'dist', 'trainer.js') };

function courseMlp(batch: number): string {
  const hidden = LAYERS.slice(1, -1).map((units) => `  Dense(${units}, activation=relu)`);
  const model = ['model CourseMLP {', `  input [${LAYERS[0]}]`, ...hidden, `  Dense(${LAYERS[LAYERS.length - 1]}, activation=softmax)`, '}'];
  const train = ['train CourseMLP {', `  data = blobs(samples=4096, centers=${LAYERS[LAYERS.length - 1]}, features=${LAYERS[0]})`, '  loss = categorical_crossentropy', `  batch_size = ${batch}`, '  epochs = 4', '  seed = 1', '}'];
  return [...model, '', ...train, ''].join('\n');
}

export async function measureVsixSpeed(rounds = 2): Promise<VsixSpeed> {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-vsix-speed-'));
  try {
    const file = join(dir, 'course.net');
    writeFileSync(file, courseMlp(128));
    const figures: Record<keyof typeof TRAINERS, number[]> = { vsix: [], cli: [] };
    for (let round = 0; round < rounds; round++) {
      for (const [name, script] of Object.entries(TRAINERS) as [keyof typeof TRAINERS, string][]) {
        const { events } = await new TrainingProcess({ type: 'start', file, runsDir: join(dir, `runs-${name}-${round}`) }, script).done;
        const epochs = events.filter((event): event is EpochEvent => event.type === 'epoch').slice(1);
        if (epochs.length === 0) throw new Error(`the ${name} trainer did not train: ${JSON.stringify(events.filter((event) => event.type === 'failed'))}`);
        figures[name].push(...epochs.map((epoch) => epoch.samplesPerSecond));
      }
    }
    return { vsix: median(figures.vsix), cli: median(figures.cli), rounds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  return sorted[sorted.length >> 1]!;
}
