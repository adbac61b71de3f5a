/**
 * RandomContrast: per sample, scales each channel's deviation from its mean
 * (over height and width) by a random factor in [1 - lower, 1 + upper], then
 * clips to the value range, as Keras 3 does. A factor f means lower = upper = f.
 * Axis 0 is the batch: rank 4 is NHWC images, rank 3 is (batch, height, width)
 * with a single channel.
 */
import * as tf from '@tensorflow/tfjs';
import { type Factor, RandomLayer, type RandomLayerArgs, numberPair, valueRange } from './augmentation';

export interface RandomContrastArgs extends RandomLayerArgs {
  /** f for [1 - f, 1 + f], or [lower, upper]; lower within [0, 1], upper >= 0. */
  factor: Factor;
  /** The pixel values' range [low, high]; default [0, 255]. */
  valueRange?: [number, number];
}

export class RandomContrast extends RandomLayer {
  static className = 'RandomContrast';
  readonly factor: Factor;
  readonly valueRange: [number, number];
  private readonly range: [number, number];

  constructor(args: RandomContrastArgs) {
    super(args, [3, 4], 'images of rank 4 (batch, height, width, channels) or 3 (batch, height, width)');
    this.factor = args.factor;
    // lower and upper are separate amounts, down from 1 and up from 1, so need not be ordered.
    const [lower, upper] =
      typeof args.factor === 'number' ? [args.factor, args.factor] : numberPair(args.factor, 'RandomContrast factor');
    if (!(lower >= 0 && lower <= 1 && upper >= 0)) {
      throw new Error(`RandomContrast factor needs lower within [0, 1] and upper >= 0, got [${lower}, ${upper}]`);
    }
    this.range = [1 - lower, 1 + upper];
    this.valueRange = valueRange(args.valueRange ?? [0, 255], 'RandomContrast valueRange');
  }

  protected override augment(x: tf.Tensor): tf.Tensor {
    const contrast = this.uniform(this.perSampleShape(x), ...this.range);
    const mean = tf.mean(x, [1, 2], true);
    const adjusted = tf.add(tf.mul(tf.sub(x, mean), contrast), mean);
    return tf.clipByValue(adjusted, ...this.valueRange);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }
}
