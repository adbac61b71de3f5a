/**
 * The parent's stop request: the fit ends after the current batch and the
 * member keeps what it trained. Last in the list, so that the batch is
 * recorded and sent first, and a failure at that batch wins over the stop.
 */
import * as tf from '@tensorflow/tfjs';
import type { Logs, MemberState, Stoppable, TrainingCallback } from './callback';

/** The engine's Control, as far as a fit reads it. */
export interface StopControl {
  readonly stopRequested: boolean;
  /** For tests: called after every epoch with tfjs's live tensor count. */
  afterEpoch?(tensors: number): void;
}

export class StopRequest implements TrainingCallback {
  constructor(
    private readonly control: StopControl,
    private readonly state: Pick<MemberState, 'nanAt' | 'reason'>,
    private readonly model: Stoppable,
  ) {}

  onBatchEnd(_batch: number, _logs: Logs): void {
    if (this.state.nanAt || !this.control.stopRequested) return;
    this.state.reason = 'stopped';
    this.model.stopTraining = true;
  }

  /** Last of the epoch's hooks: the count includes what the others keep (the best weights). */
  onEpochEnd(): void {
    this.control.afterEpoch?.(tf.memory().numTensors);
  }
}
