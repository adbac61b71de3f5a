/**
 * After each epoch, each layer's weights and activations summarised
 * (trainer/distributions.ts): every weight variable by its Keras name, and
 * every layer's output on one fixed sample, with the fraction of a ReLU
 * layer's units that never fire. Sent as a `distributions` event after the
 * epoch's, and the member's `distributions.json` rewritten with every epoch
 * so far, so that a reopened run shows them.
 */
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { layerSpec, type Network } from '../../core';
import type { DistributionsEvent, LayerDistributions, TrainerEvent } from '../../protocol/training';
import { makeFolders, writeAtomic } from '../artifacts';
import type { TensorPair } from '../dataset';
import { deadFraction, layerProbe, SAMPLE_SIZE, sampleIndices, summarize, type ProbedLayer } from '../distributions';
import type { MemberState, TrainingCallback } from './callback';

/** Whether a layer's output is a ReLU's: a ReLU layer, or a layer (not a recurrent one, whose activation is inside) with activation=relu. */
export function isReluLayer(network: Network, name: string): boolean {
  const layer = network.layers.find((candidate) => candidate.name === name);
  if (!layer) return false;
  if (layer.type === 'ReLU') return true;
  return layer.args?.values['activation'] === 'relu' && layerSpec(layer)?.category !== 'recurrent';
}

/**
 * How many epochs a run records at most: a longer run records the first,
 * every k-th (k = ceil(epochs / this)) and the last, so that a 1,000-epoch
 * XOR run, whose epochs take milliseconds, is not slowed several times
 * over by summaries and by rewriting a file of every one of them.
 */
export const MAX_RECORDED_EPOCHS = 200;

/** Whether the epoch (1-based) of a run of `epochs` is recorded; `last` when the fit ends after it, early or not. */
export function recordsEpoch(epoch: number, epochs: number, last: boolean): boolean {
  const every = Math.max(1, Math.ceil(epochs / MAX_RECORDED_EPOCHS));
  return epoch === 1 || epoch % every === 0 || last;
}

/**
 * A weight variable's name as Keras gives it within its layer: tfjs scopes
 * it by the layer's name (`dense_1/kernel` is the layer's `kernel`), and
 * names a Bidirectional layer's halves after their own layers
 * (`forward_gru_GRU1/kernel`), here `forward/kernel` and `backward/kernel`.
 */
export function kerasName(variable: string, layer: string): string {
  const own = variable.startsWith(`${layer}/`) ? variable.slice(layer.length + 1) : variable;
  return own.replace(/^(forward|backward)_[^/]+\//, '$1/');
}

export class LayerDistributionsCallback implements TrainingCallback {
  private readonly events: DistributionsEvent[] = [];
  private probe: { probe: tf.LayersModel; layers: ProbedLayer[] } | undefined;
  /** The fixed sample: the same rows every epoch. */
  private readonly sample: DistributionsEvent['sample'];

  constructor(
    private readonly state: Pick<MemberState, 'nanAt' | 'epoch' | 'reason'>,
    private readonly model: tf.LayersModel,
    private readonly network: Network,
    private readonly data: { train: TensorPair; validation?: TensorPair },
    private readonly options: {
      seed: number;
      /** The epochs the fit is to run. */
      epochs: number;
      /** The model's name, and the member's index in an ensemble. */
      label: { model: string; member?: number };
      emit(event: TrainerEvent): void;
      /** Where distributions.json goes. */
      path: string;
    },
  ) {
    const on = data.validation ? 'validation' : 'train';
    this.sample = { on, indices: sampleIndices((data.validation ?? data.train).count, options.seed) };
  }

  onEpochEnd(epoch: number): void {
    if (this.state.nanAt) return;
    // The fit ends after this epoch: its patience ran out, a stop was asked, or it is the last planned.
    const last = epoch + 1 >= this.options.epochs || this.state.epoch.stop || this.state.reason === 'stopped';
    if (!recordsEpoch(epoch + 1, this.options.epochs, last)) return;
    const start = performance.now();
    const layers = this.summarize();
    const event: DistributionsEvent = { type: 'distributions', ...this.options.label, epoch: epoch + 1, sample: this.sample, layers, seconds: (performance.now() - start) / 1000 };
    this.events.push(event);
    // An ensemble member's folder is otherwise made when its model is saved, at the fit's end.
    if (this.events.length === 1) makeFolders(dirname(this.options.path));
    // On disk before it is sent, as the history is before the epoch's event.
    writeAtomic(this.options.path, JSON.stringify(this.events));
    this.options.emit(event);
  }

  /** Every layer's summaries: one forward pass for all the activations, read and summarised inside a tidy. */
  private summarize(): LayerDistributions[] {
    // Built on first use, once per member: the layers' outputs exist once the model is.
    this.probe ??= layerProbe(this.model);
    const { probe, layers } = this.probe;
    // tidy keeps only tensors; the summaries are plain numbers, handed out through this array.
    const summaries: LayerDistributions[] = [];
    tf.tidy(() => {
      // The sample's rows, gathered afresh each time inside the tidy: nothing is kept between epochs.
      const source = (this.data.validation ?? this.data.train).x;
      const rows = tf.tensor1d(this.sample.indices, 'int32');
      const inputs = (Array.isArray(source) ? source : [source]).map((x) => tf.gather(x, rows));
      // The whole sample as one batch: one matrix product per layer, not eight of tfjs's default 32 rows.
      const predicted = probe.predict(inputs.length === 1 ? inputs[0]! : inputs, { batchSize: SAMPLE_SIZE });
      const outputs = Array.isArray(predicted) ? predicted : [predicted];
      for (const { layer, output } of layers) {
        const name = layer.name;
        const type = this.network.layers.find((candidate) => candidate.name === name)?.type ?? layer.getClassName();
        const variables = layer.weights.map((variable) => ({
          name: kerasName(variable.originalName, name),
          shape: variable.shape.map((dim) => dim ?? 0),
          ...summarize(variable.read().dataSync()),
        }));
        const summary: LayerDistributions = { name, type, variables };
        const tensor = output === undefined ? undefined : outputs[output];
        if (tensor) {
          const values = tensor.dataSync();
          summary.activations = summarize(values);
          if (isReluLayer(this.network, name)) summary.deadFraction = deadFraction(values, tensor.shape[tensor.shape.length - 1] ?? 1);
        }
        summaries.push(summary);
      }
    });
    return summaries;
  }
}
