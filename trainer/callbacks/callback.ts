/**
 * The fit loop's concerns as callbacks, in the style of tfjs-layers'
 * `CallbackList`: each concern is one `TrainingCallback` with the hooks it
 * needs, and a `CallbackList` calls them in its order. A later concern (a
 * new event, a new artifact) is one more callback in the list.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EvaluationEvent, FinishedEvent } from '../../protocol/training';
import type { MemberHistory } from '../artifacts';
import type { BestTracker } from '../monitors';
import type { SavedModel } from '../saveModel';

/** An epoch's or a batch's values, by the names the file uses (`val_` for validation). */
export type Logs = Record<string, number>;

/** tfjs's hooks, with its 0-based epoch and batch indices and the logs already renamed. */
export interface TrainingCallback {
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchBegin?(batch: number): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainEnd?(): void | Promise<void>;
}

/** The part of a tfjs model a callback may end the fit through. */
export interface Stoppable {
  stopTraining: boolean;
}

/** What the epoch that is ending took and how it ranks; measured and judged by the first epoch-end callbacks, read by the later ones. */
export interface EpochFacts {
  seconds: number;
  learningRate: number;
  /** The epoch is the new best (see BestRule). */
  improved: boolean;
  /** EarlyStopping's patience ran out at this epoch. */
  stop: boolean;
}

/** What one member's callbacks share. Each callback takes only the fields it reads or sets. */
export interface MemberState {
  record: MemberHistory;
  /** The member's one best epoch: EarlyStopping's own where the block has one. */
  best: BestTracker;
  /** Why the fit ended, unless it failed. */
  reason: FinishedEvent['reason'];
  /** Where the loss stopped being a number: the fit failed there. */
  nanAt?: { epoch: number; batch: number };
  /** Whether the model holds the best epoch's weights, put back by EarlyStopping. */
  restored: boolean;
  epoch: EpochFacts;
  /** The model as the fit left it, saved once the fit ended (not for a failed member). */
  saved?: SavedModel;
  /** The evaluation of a classifier, sent just before `finished`, and the file it was written to. */
  evaluation?: { event: EvaluationEvent; path: string };
}

export function memberState(record: MemberHistory, best: BestTracker): MemberState {
  return { record, best, reason: 'completed', restored: false, epoch: { seconds: 0, learningRate: 0, improved: false, stop: false } };
}

export interface CallbackListOptions {
  /** tfjs's log names to the file's (tfjs names some metrics differently); `batch` and `size` are dropped. */
  rename?: (logs: Logs) => Logs;
  /** True once the fit has failed: the epoch it cut short has no end, so no epoch-end hook runs. */
  failed?: () => boolean;
}

/** The callbacks of one fit, called one after another in the list's order, each awaited. */
export class CallbackList {
  constructor(
    readonly callbacks: readonly TrainingCallback[],
    private readonly options: CallbackListOptions = {},
  ) {}

  async onTrainBegin(): Promise<void> {
    for (const callback of this.callbacks) await callback.onTrainBegin?.();
  }

  async onEpochBegin(epoch: number): Promise<void> {
    for (const callback of this.callbacks) await callback.onEpochBegin?.(epoch);
  }

  async onBatchBegin(batch: number): Promise<void> {
    for (const callback of this.callbacks) await callback.onBatchBegin?.(batch);
  }

  async onBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    const values = this.rename(logs);
    for (const callback of this.callbacks) await callback.onBatchEnd?.(batch, values);
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.options.failed?.()) return;
    const values = this.rename(logs);
    for (const callback of this.callbacks) await callback.onEpochEnd?.(epoch, values);
  }

  async onTrainEnd(): Promise<void> {
    for (const callback of this.callbacks) await callback.onTrainEnd?.();
  }

  /**
   * The list as the one callback object `model.fit` takes. tfjs wraps it in
   * a single CustomCallback, so the fit yields to the event loop as often as
   * with one callback, however long the list.
   */
  forFit(): tf.CustomCallbackArgs {
    return {
      onTrainBegin: () => this.onTrainBegin(),
      onEpochBegin: (epoch) => this.onEpochBegin(epoch),
      onBatchBegin: (batch) => this.onBatchBegin(batch),
      onBatchEnd: (batch, logs) => this.onBatchEnd(batch, logs),
      onEpochEnd: (epoch, logs) => this.onEpochEnd(epoch, logs),
      onTrainEnd: () => this.onTrainEnd(),
    };
  }

  private rename(logs: Logs): Logs {
    return this.options.rename ? this.options.rename(logs) : logs;
  }
}
