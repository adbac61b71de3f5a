/**
 * The files of a run folder (`.layerwise/runs/<model>/<timestamp>/`) that
 * more than the trainer reads: the trainer writes them, the command line
 * lists them, and the language server and the editor show earlier runs
 * from them.
 *
 * Invariant: this module imports nothing.
 */

export interface EpochRecord {
  epoch: number;
  metrics: Record<string, number>;
  learningRate: number;
  seconds: number;
}

export interface BatchRecord {
  epoch: number;
  batch: number;
  metrics: Record<string, number>;
}

export interface MemberHistory {
  member: number;
  seed: number;
  epochs: EpochRecord[];
  batches: BatchRecord[];
  bestEpoch?: number;
  reason?: 'completed' | 'early-stopping' | 'stopped' | 'failed';
}

export interface RunHistory {
  model: string;
  file: string;
  startedAt: string;
  backend: string;
  classes: (string | number)[];
  members: MemberHistory[];
  ensemble?: { memberAccuracy: number[]; averagedAccuracy: number };
}

/** settings.json: the train block's settings as written, and as the run resolved them. */
export interface RunSettings {
  file: string;
  model: string;
  written: Record<string, string>;
  resolved: { epochs: number; batchSize: number; shuffle: boolean; seed: number; ensemble: number; backend: string };
}
