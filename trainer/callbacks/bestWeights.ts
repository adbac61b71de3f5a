/**
 * EarlyStopping's restore_best_weights: a copy of the weights of each new
 * best epoch is kept, and put back into the model when patience runs out.
 * A fit that ends otherwise keeps its last epoch's weights, as Keras 2 does.
 */
import * as tf from '@tensorflow/tfjs';
import type { MemberState, TrainingCallback } from './callback';

export class RestoreBestWeights implements TrainingCallback {
  private weights: tf.Tensor[] | undefined;

  constructor(
    private readonly state: Pick<MemberState, 'epoch' | 'restored'>,
    private readonly model: tf.LayersModel,
  ) {}

  onEpochEnd(): void {
    if (this.state.epoch.improved) {
      tf.dispose(this.weights);
      this.weights = this.model.getWeights().map((weight) => tf.keep(weight.clone()));
    } else if (this.state.epoch.stop && this.weights) {
      this.model.setWeights(this.weights);
      this.state.restored = true;
    }
  }

  onTrainEnd(): void {
    tf.dispose(this.weights);
    this.weights = undefined;
  }
}
