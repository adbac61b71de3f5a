/**
 * compile() for a model with several outputs: each output's loss, weight
 * and metrics keyed by its name, as tfjs-layers takes them, and a repair of
 * the validation logs tfjs-layers misnames for such a model.
 */
import * as tf from '@tensorflow/tfjs';
import type { Network, TrainBlock } from '../core';
import { tfjsLoss, tfjsMetrics } from './optimizers';

/**
 * compile()'s losses, loss weights and metrics for a model with several
 * outputs, each keyed by output name as tfjs takes them; tfjs logs them as
 * `<output>_loss` and `<output>_<metric>` (`dense_1_acc`), and the rename
 * gives each metric the file's name after the output's. `weights` holds
 * each weighted output's loss log and its weight: tfjs logs the weighted
 * loss, Keras the output's own, which the log is divided back to.
 */
export function compileOutputs(block: TrainBlock, network: Network): { compile: Omit<tf.ModelCompileArgs, 'optimizer'>; rename: Map<string, string>; weights: Map<string, number> } {
  const loss: Record<string, string | LossFn> = {};
  const perOutput: Record<string, string[]> = {};
  const rename = new Map<string, string>();
  const weights = new Map<string, number>();
  for (const output of network.outputs) {
    const name = output.name;
    const spec = block.outputLosses ? block.outputLosses[name]! : block.loss!;
    const weight = block.lossWeights?.[name] ?? 1;
    loss[name] = weighted(tfjsLoss(spec.name), weight);
    if (weight !== 1) weights.set(`${name}_loss`, weight);
    const metrics = tfjsMetrics(block.outputMetrics ? (block.outputMetrics[name] ?? []) : block.metrics);
    // tfjs picks binary or categorical accuracy by the loss function, which a weighted loss hides: named here by the loss's target.
    perOutput[name] = metrics.tfjs.map((metric) => (metric === 'accuracy' ? ACCURACY[spec.target] : metric));
    for (const [tfjs, key] of metrics.rename) rename.set(`${name}_${tfjs === 'accuracy' ? ACCURACY[spec.target] : tfjs}`, `${name}_${key}`);
    rename.set(`${name}_acc`, `${name}_acc`);
  }
  // tfjs reads a dict of metric lists per output (collectMetrics), though its type names single metrics.
  const metrics = perOutput as unknown as tf.ModelCompileArgs['metrics'];
  // tfjs takes a dict that mixes names and functions (losses.get reads each), though its type wants one or the other.
  return { compile: { loss: loss as unknown as tf.ModelCompileArgs['loss'], metrics }, rename, weights };
}

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/**
 * tfjs-layers' test function (validation, evaluate) of a model with several
 * outputs returns the running total after each output's loss, then the
 * metrics, which begin with each output's loss: one value more than the
 * names it is logged under (loss, each output's loss, the metrics), so
 * every val_ figure but the first would be another's. This keeps the last
 * running total (the whole loss) and the metrics, in the names' order.
 */
export function fixValidationLogs(model: tf.LayersModel): void {
  const internal = model as unknown as { makeTestFunction(): void; testFunction: (data: tf.Tensor[]) => tf.Scalar[]; lossFunctions: unknown[] };
  const make = internal.makeTestFunction.bind(internal);
  internal.makeTestFunction = () => {
    make();
    const test = internal.testFunction;
    const losses = internal.lossFunctions.length;
    internal.testFunction = (data) => {
      const values = test(data);
      tf.dispose(values.slice(0, losses - 1));
      return [values[losses - 1]!, ...values.slice(losses)];
    };
  };
}

/** The accuracy that Keras's `accuracy` means for each loss target. */
const ACCURACY: Record<NonNullable<TrainBlock['loss']>['target'], string> = { binary: 'binaryAccuracy', categorical: 'categoricalAccuracy', sparse: 'sparseCategoricalAccuracy', regression: 'binaryAccuracy' };

/**
 * A loss times its `loss_weights` weight: tfjs's compile has no loss
 * weights, and the total it minimises is the sum of the outputs' losses, so
 * each is weighted itself; its log is divided back by the weight (see
 * compileOutputs), so that it records the output's own loss, as Keras does.
 */
function weighted(loss: string, weight: number): string | LossFn {
  if (weight === 1) return loss;
  // tf.metrics holds tfjs-layers' own loss functions, those compile() finds by name.
  const base = (tf.metrics as unknown as Record<string, ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor) | undefined>)[loss];
  if (!base) throw new Error(`loss_weights cannot weight the loss ${loss} in TensorFlow.js; leave its weight at 1`);
  return (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mul(base(yTrue, yPred), weight);
}
