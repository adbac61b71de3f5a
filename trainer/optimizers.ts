/**
 * The train block's optimizer, loss, metrics and learning-rate schedule as
 * TensorFlow.js objects and names.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedArgs, Signature, TrainBlock } from '../core';
import { FusedAdamOptimizer } from './wasm/adam';

/** tfjs's names of the Keras losses the catalog knows. */
const LOSSES: Record<string, string> = {
  binary_crossentropy: 'binaryCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mean_absolute_percentage_error: 'meanAbsolutePercentageError',
  mean_squared_logarithmic_error: 'meanSquaredLogarithmicError',
  hinge: 'hinge',
  squared_hinge: 'squaredHinge',
  categorical_hinge: 'categoricalHinge',
  log_cosh: 'logcosh',
  kl_divergence: 'kullbackLeiblerDivergence',
  poisson: 'poisson',
  cosine_similarity: 'cosineProximity',
};

/** tfjs's metric identifiers, and the key each one gets in the logs (Keras's short names). */
const METRICS: Record<string, { tfjs: string; key: string }> = {
  accuracy: { tfjs: 'accuracy', key: 'acc' },
  binary_accuracy: { tfjs: 'binaryAccuracy', key: 'binary_accuracy' },
  categorical_accuracy: { tfjs: 'categoricalAccuracy', key: 'categorical_accuracy' },
  sparse_categorical_accuracy: { tfjs: 'sparseCategoricalAccuracy', key: 'sparse_categorical_accuracy' },
  top_k_categorical_accuracy: { tfjs: 'topKCategoricalAccuracy', key: 'top_k_categorical_accuracy' },
  precision: { tfjs: 'precision', key: 'precision' },
  recall: { tfjs: 'recall', key: 'recall' },
  mse: { tfjs: 'MSE', key: 'mse' },
  mae: { tfjs: 'MAE', key: 'mae' },
};

export function tfjsLoss(name: string): string {
  const loss = LOSSES[name];
  if (!loss) throw new Error(`no TensorFlow.js loss for ${name}`);
  return loss;
}

export interface MetricNames {
  /** What to pass to `model.compile`. */
  tfjs: string[];
  /** Log key from tfjs → the name the run records (acc, …). */
  rename: Map<string, string>;
}

export function tfjsMetrics(names: readonly string[]): MetricNames {
  const rename = new Map<string, string>();
  const tfjs = names.map((name) => {
    const metric = METRICS[name]!;
    rename.set(metric.tfjs, metric.key);
    return metric.tfjs;
  });
  return { tfjs, rename };
}

const number = (args: ResolvedArgs, name: string): number => args.values[name] as number;

export function createOptimizer(optimizer: TrainBlock['optimizer']): tf.Optimizer {
  const spec = optimizer.spec.name;
  const args = optimizer.args;
  const lr = number(args, 'learning_rate');
  switch (spec) {
    case 'SGD': {
      const momentum = number(args, 'momentum');
      return momentum > 0 || args.values['nesterov'] ? tf.train.momentum(lr, momentum, args.values['nesterov'] as boolean) : tf.train.sgd(lr);
    }
    case 'Adam':
      // tfjs's Adam, with its update in one kernel per variable on wasm.
      return new FusedAdamOptimizer(lr, number(args, 'beta_1'), number(args, 'beta_2'), number(args, 'epsilon'));
    case 'RMSprop':
      return tf.train.rmsprop(lr, number(args, 'rho'), number(args, 'momentum'), number(args, 'epsilon'), args.values['centered'] as boolean);
    case 'Adagrad':
      return tf.train.adagrad(lr, number(args, 'initial_accumulator_value'));
    default:
      throw new Error(`no TensorFlow.js optimizer for ${spec}`);
  }
}

/** The optimizer's current learning rate. tfjs keeps it in a field that Adam, RMSprop and Adagrad read on every step. */
export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

export function setLearningRate(optimizer: tf.Optimizer, value: number): void {
  const target = optimizer as unknown as { learningRate: number; setLearningRate?: (value: number) => void };
  // SGD and Momentum cache the rate as a tensor and offer a setter; the others read the field.
  if (target.setLearningRate) target.setLearningRate(value);
  else target.learningRate = value;
}

/** The rate a schedule gives for a step (batch count so far) and epoch (0-based). */
export type Schedule = (step: number, epoch: number) => number;

export function createSchedule(schedule: { spec: Signature; args: ResolvedArgs } | undefined, initial: number): Schedule | undefined {
  if (!schedule) return undefined;
  const args = schedule.args;
  const start = (args.values['initial_learning_rate'] as number | null) ?? initial;
  switch (schedule.spec.name) {
    case 'ExponentialDecay': {
      const steps = number(args, 'decay_steps');
      const rate = number(args, 'decay_rate');
      const staircase = args.values['staircase'] as boolean;
      return (step) => start * Math.pow(rate, staircase ? Math.floor(step / steps) : step / steps);
    }
    case 'StepDecay': {
      const factor = number(args, 'factor');
      const every = number(args, 'every');
      return (_step, epoch) => start * Math.pow(factor, Math.floor(epoch / every));
    }
    case 'CosineDecay': {
      const steps = number(args, 'decay_steps');
      const alpha = number(args, 'alpha');
      return (step) => {
        const progress = Math.min(step, steps) / steps;
        return start * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
      };
    }
    default:
      throw new Error(`no schedule ${schedule.spec.name}`);
  }
}
