/** ReduceLROnPlateau: after an epoch, the learning rate its monitor asks for, for the epochs that follow. */
import type * as tf from '@tensorflow/tfjs';
import type { ReduceLROnPlateau } from '../monitors';
import { learningRateOf, setLearningRate } from '../optimizers';
import type { Logs, TrainingCallback } from './callback';

export class LearningRateOnPlateau implements TrainingCallback {
  constructor(
    private readonly plateau: ReduceLROnPlateau,
    private readonly optimizer: tf.Optimizer,
  ) {}

  onEpochEnd(_epoch: number, logs: Logs): void {
    const reduced = this.plateau.onEpochEnd(logs, learningRateOf(this.optimizer));
    if (reduced !== undefined) setLearningRate(this.optimizer, reduced);
  }
}
