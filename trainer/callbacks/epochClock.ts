/** What each epoch took and the learning rate it ran at, measured once for the history and the epoch event alike. */
import type * as tf from '@tensorflow/tfjs';
import { learningRateOf } from '../optimizers';
import type { MemberState, TrainingCallback } from './callback';

export class EpochClock implements TrainingCallback {
  private started = 0;

  constructor(
    private readonly state: Pick<MemberState, 'epoch'>,
    private readonly optimizer: tf.Optimizer,
    private readonly now: () => number = () => performance.now(),
  ) {}

  onEpochBegin(): void {
    this.started = this.now();
  }

  /** First at the epoch's end: the rate is read before ReduceLROnPlateau changes it for the next epoch. */
  onEpochEnd(): void {
    this.state.epoch.seconds = (this.now() - this.started) / 1000;
    this.state.epoch.learningRate = learningRateOf(this.optimizer);
  }
}
