/** A learning-rate schedule: every step (batch) takes the schedule's rate for the step and epoch. */
import type * as tf from '@tensorflow/tfjs';
import { setLearningRate, type Schedule } from '../optimizers';
import type { TrainingCallback } from './callback';

export class LearningRateSchedule implements TrainingCallback {
  /** Batches finished so far, over all epochs. */
  private step = 0;
  /** The epoch under way, 0-based. */
  private epoch = 0;

  constructor(
    private readonly optimizer: tf.Optimizer,
    private readonly schedule: Schedule,
  ) {}

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchBegin(): void {
    setLearningRate(this.optimizer, this.schedule(this.step, this.epoch));
  }

  onBatchEnd(): void {
    this.step++;
  }
}
