/**
 * The files of a run folder (`.layerwise/runs/<model>/<timestamp>/`) that
 * more than the trainer reads: the trainer writes them, the command line
 * lists them, and the language server and the editor show earlier runs
 * from them.
 *
 * Invariant: this module imports nothing but the training protocol's types.
 */
import type { BestEpoch, EvaluationEvent, StartedEvent } from './training';

/** Where runs are written, beside the .net file: `<folder of the file>/.layerwise/runs/<model>/<timestamp>/`. */
export const RUNS_FOLDER = ['.layerwise', 'runs'] as const;
export const HISTORY_FILE = 'history.json';
export const SETTINGS_FILE = 'settings.json';
export const SUMMARY_FILE = 'summary.txt';
export const MODEL_FILE = 'model.json';
export const EVALUATION_FILE = 'evaluation.json';
/** A member's boundary events (BoundaryEvent[]) for a model whose input is two features. */
export const BOUNDARY_FILE = 'boundary.json';
/** A member's distributions events (DistributionsEvent[]), every epoch so far, in the member's folder beside its model. */
export const DISTRIBUTIONS_FILE = 'distributions.json';

/**
 * The run's events as the trainer sent them, one JSON value a line
 * (TrainerEvent), what a panel replays. Lines are appended in whole
 * epochs: each event but a batch is on disk, with the batches before it,
 * before it is sent. A reader ignores a last line without its newline (a
 * write cut short by a kill). Run folders written before this file
 * existed have only history.json, from which readers rebuild the events.
 */
export const EVENTS_FILE = 'events.jsonl';

/** The folder prefix of an ensemble member's model: `member-1`, `member-2`, …, inside the run folder. */
const MEMBER_FOLDER = 'member-';

/**
 * Where a member's model is saved, as path segments below the run folder:
 * the run folder itself for a single model, `member-<n>` (1-based) for
 * each member of an ensemble of `members`.
 */
export function memberFolder(member: number, members: number): string[] {
  return members > 1 ? [`${MEMBER_FOLDER}${member + 1}`] : [];
}

export interface EpochRecord {
  epoch: number;
  metrics: Record<string, number>;
  learningRate: number;
  seconds: number;
  /** The best epoch up to this one, as its epoch event gave it. */
  best?: BestEpoch;
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
  /** The best epoch (1-based, as `best.epoch`; 0 when no epoch recorded its quantity). */
  bestEpoch?: number;
  /** The best epoch and the rule that chose it, as the trainer decided (see BestRule). */
  best?: BestEpoch;
  /** Whether the saved model holds the best epoch's weights, restored by EarlyStopping, rather than the last epoch's. */
  restored?: boolean;
  reason?: 'completed' | 'early-stopping' | 'stopped' | 'failed';
  /** How the trained member does on the validation data (classifiers). */
  evaluation?: Omit<EvaluationEvent, 'type'>;
}

export interface RunHistory {
  model: string;
  file: string;
  startedAt: string;
  backend: string;
  classes: (string | number)[];
  /** The model's parameter counts and the data's sizes, as the run's `started` event gave them. */
  params?: StartedEvent['params'];
  data?: StartedEvent['data'];
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
