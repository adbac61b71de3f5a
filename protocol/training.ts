/**
 * The messages between a trainer process and whoever started it (the
 * command line, the VS Code client). Plain JSON values only: they cross a
 * process boundary, and `layerwise train --json` prints them as lines.
 *
 * Invariant: this module imports nothing.
 */

/** The backends a run can use, fastest first. */
export const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

/** Parent → trainer: what to train. */
export interface StartRequest {
  type: 'start';
  /** The .net file; data paths are relative to it, and runs are written beside it. */
  file: string;
  /** The file's text when it differs from the disk (an unsaved editor). */
  text?: string;
  /** Which train block (its index in the file); the first when absent. */
  trainBlock?: number;
  /** Train only this model of the block. */
  model?: string;
  epochs?: number;
  backend?: BackendChoice;
  /** Where runs are written; `.layerwise/runs` beside the file when absent. */
  runsDir?: string;
}

/** Parent → trainer: end after the current batch and keep what was trained. */
export interface StopRequest {
  type: 'stop';
}

export type TrainerRequest = StartRequest | StopRequest;

/** Why a faster backend did not load. */
export interface BackendAttempt {
  backend: BackendName;
  reason: string;
}

export interface StartedEvent {
  type: 'started';
  model: string;
  /** Ensemble member (0-based) when the block trains an ensemble. */
  member?: number;
  members: number;
  params: { total: number; trainable: number; nonTrainable: number };
  backend: BackendName;
  /** The faster backends that were tried first, and why each did not load. */
  skipped: BackendAttempt[];
  data: { train: number; validation: number; features: number[] };
  /** Class labels in sorted order; index i is output unit i. */
  classes: (string | number)[];
  epochs: number;
  batchSize: number;
  batchesPerEpoch: number;
  runDir: string;
}

/** Per-batch training values: `loss` and each metric (`acc`, …). */
export interface BatchEvent {
  type: 'batch';
  model: string;
  member?: number;
  /** 1-based. */
  epoch: number;
  /** 1-based within the epoch. */
  batch: number;
  metrics: Record<string, number>;
}

export interface EpochEvent {
  type: 'epoch';
  model: string;
  member?: number;
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** `loss`, each metric, and their `val_` twins. */
  metrics: Record<string, number>;
  learningRate: number;
  seconds: number;
  samplesPerSecond: number;
}

export interface FinishedEvent {
  type: 'finished';
  model: string;
  member?: number;
  /** Why training ended: all epochs, early stopping, or a stop request. */
  reason: 'completed' | 'early-stopping' | 'stopped';
  epochs: number;
  /** The epoch (1-based) with the lowest val_loss, or loss without validation data. */
  bestEpoch: number;
  /** The last epoch's values (or the best epoch's, after restore_best_weights). */
  metrics: Record<string, number>;
  /** For an ensemble's last message: each member's and the averaged prediction's validation accuracy. */
  ensemble?: { memberAccuracy: number[]; averagedAccuracy: number };
  artifacts: { runDir: string; history: string; settings: string; summary: string; model: string };
}

export interface FailedEvent {
  type: 'failed';
  model?: string;
  message: string;
  /** Where in the .net file or a data file the problem is (1-based), when it comes from one. */
  file?: string;
  line?: number;
  column?: number;
  /** The run folder, when one was written before the failure. */
  runDir?: string;
}

export type TrainerEvent = StartedEvent | BatchEvent | EpochEvent | FinishedEvent | FailedEvent;

export function isTrainerEvent(value: unknown): value is TrainerEvent {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'started' || type === 'batch' || type === 'epoch' || type === 'finished' || type === 'failed';
}

export function isTrainerRequest(value: unknown): value is TrainerRequest {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'stop';
}
