/**
 * What the per-layer distributions cost: the course MLP trained through
 * `runTraining` with them and without them, on the same data, seed and
 * backend, in the same process; and the time the summaries themselves
 * took (the events' `seconds`) against the epochs' own.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTraining } from '../trainer/engine';
import { courseMlpFile } from './engineOverhead';

export interface DistributionsCost {
  backend: string;
  /** Wall time of the run without the distributions, and with them (the mean of a run before and one after). */
  withoutSeconds: number;
  withSeconds: number;
  /** The epochs' seconds and the summaries' seconds of the run with them. */
  epochSeconds: number;
  summarySeconds: number;
  /** summary ÷ epoch time: the cost held against the 5% bar. */
  ratio: number;
}

export async function measureDistributionsCost(epochs = 2, batch = 128): Promise<DistributionsCost> {
  const { dir, file, backend } = await courseMlpFile(epochs, batch);
  try {
    const run = async (distributions: boolean): Promise<{ wall: number; epochs: number; summaries: number }> => {
      let epochSeconds = 0;
      let summaries = 0;
      const start = performance.now();
      await runTraining({ type: 'start', file, runsDir: join(dir, 'runs') }, (event) => {
        if (event.type === 'epoch') epochSeconds += event.seconds;
        if (event.type === 'distributions') summaries += event.seconds;
        if (event.type === 'failed') throw new Error(event.message);
      }, { stopRequested: false, distributions });
      return { wall: (performance.now() - start) / 1000, epochs: epochSeconds, summaries };
    };
    // Runs without on both sides of the one with, so that warm-up and drift fall on both.
    const before = await run(false);
    const measured = await run(true);
    const after = await run(false);
    return {
      backend,
      withoutSeconds: (before.wall + after.wall) / 2,
      withSeconds: measured.wall,
      epochSeconds: measured.epochs,
      summarySeconds: measured.summaries,
      ratio: measured.summaries / measured.epochs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
