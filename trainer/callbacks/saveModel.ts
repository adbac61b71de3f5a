/**
 * At the fit's end, after the history records how it ended: the model as
 * it ends (with the best weights back, where they were restored) is saved
 * for inference. A member that failed saves nothing.
 */
import type * as tf from '@tensorflow/tfjs';
import { saveModel } from '../saveModel';
import type { MemberState, TrainingCallback } from './callback';

export class ModelSaver implements TrainingCallback {
  constructor(
    private readonly state: Pick<MemberState, 'nanAt' | 'saved'>,
    private readonly model: tf.LayersModel,
    private readonly dir: string,
  ) {}

  async onTrainEnd(): Promise<void> {
    if (this.state.nanAt) return;
    this.state.saved = await saveModel(this.model, this.dir);
  }
}
