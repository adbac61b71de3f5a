/**
 * RandomBrightness: adds one random delta per sample, a fraction of the
 * value range's width, then clips to the value range. Axis 0 is the batch:
 * rank 4 is NHWC images, rank 3 is (batch, height, width) without a channel axis.
 */
import * as tf from '@tensorflow/tfjs';
import { type Factor, RandomLayer, type RandomLayerArgs, factorRange, valueRange } from './augmentation';

export interface RandomBrightnessArgs extends RandomLayerArgs {
  /** Fraction of the value range: f for [-f, f], or [lower, upper], within [-1, 1]. */
  factor: Factor;
  /** The pixel values' range [low, high]; default [0, 255]. */
  valueRange?: [number, number];
}

export class RandomBrightness extends RandomLayer {
  static className = 'RandomBrightness';
  readonly factor: Factor;
  readonly valueRange: [number, number];
  private readonly range: [number, number];

  constructor(args: RandomBrightnessArgs) {
    super(args, [3, 4], 'images of rank 4 (batch, height, width, channels) or 3 (batch, height, width)');
    this.factor = args.factor;
    this.range = factorRange(args.factor, 'RandomBrightness factor', -1, 1);
    this.valueRange = valueRange(args.valueRange ?? [0, 255], 'RandomBrightness valueRange');
  }

  protected override augment(x: tf.Tensor): tf.Tensor {
    const [low, high] = this.valueRange;
    const delta = tf.mul(this.uniform(this.perSampleShape(x), ...this.range), high - low);
    return tf.clipByValue(tf.add(x, delta), low, high);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }
}
