/**
 * Once, at the fit's end, after the model is saved: how the model as it
 * ends does on the validation data (classifiers that trained at least one
 * epoch), written to `evaluation.json` and into the history, so that a
 * panel reopened later shows the Evaluation tab. The engine sends it just
 * before `finished`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EvaluationEvent } from '../../protocol/training';
import { writeAtomic } from '../artifacts';
import type { PreparedData } from '../dataset';
import { evaluateClassifier } from '../evaluate';
import type { MemberState, TrainingCallback } from './callback';

export class Evaluation implements TrainingCallback {
  constructor(
    private readonly state: Pick<MemberState, 'nanAt' | 'record' | 'evaluation'>,
    private readonly model: tf.LayersModel,
    private readonly data: PreparedData,
    private readonly options: {
      batchSize: number;
      /** The model's name, and the member's index in an ensemble. */
      label: { model: string; member?: number };
      /** Where evaluation.json goes. */
      path: string;
      /** Writes the run's history with the evaluation in it. */
      writeHistory(): void;
    },
  ) {}

  onTrainEnd(): void {
    if (this.state.nanAt || this.state.record.epochs.length === 0) return;
    const evaluated = evaluateClassifier(this.model, this.data, this.options.batchSize);
    if (!evaluated) return;
    const event: EvaluationEvent = { type: 'evaluation', ...this.options.label, ...evaluated };
    writeAtomic(this.options.path, JSON.stringify(event));
    this.state.evaluation = { event, path: this.options.path };
    this.state.record.evaluation = { ...this.options.label, ...evaluated };
    this.options.writeHistory();
  }
}
