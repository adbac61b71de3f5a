/**
 * RandomRotation: rotates each NHWC image about its centre by a random angle
 * drawn from factor * 2π (factor f means [-f, f]; positive is counter-clockwise).
 */
import * as tf from '@tensorflow/tfjs';
import { type Factor, ImageTransformLayer, type ImageTransformArgs, factorRange } from './augmentation';

export interface RandomRotationArgs extends ImageTransformArgs {
  /** Fraction of a full turn: f for [-f, f], or [lower, upper]. */
  factor: Factor;
}

export class RandomRotation extends ImageTransformLayer {
  static className = 'RandomRotation';
  readonly factor: Factor;
  private readonly range: [number, number];

  constructor(args: RandomRotationArgs) {
    super(args);
    this.factor = args.factor;
    this.range = factorRange(args.factor, 'RandomRotation factor', -Infinity, Infinity);
  }

  protected override transforms(batch: number, height: number, width: number): tf.Tensor2D {
    const [lower, upper] = this.range;
    const angles = this.uniform([batch], lower * 2 * Math.PI, upper * 2 * Math.PI);
    const cos = tf.cos(angles);
    const sin = tf.sin(angles);
    // Offsets that keep the centre ((width-1)/2, (height-1)/2) fixed, as Keras computes them.
    const w = width - 1;
    const h = height - 1;
    const xOffset = tf.div(tf.sub(w, tf.sub(tf.mul(cos, w), tf.mul(sin, h))), 2);
    const yOffset = tf.div(tf.sub(h, tf.add(tf.mul(sin, w), tf.mul(cos, h))), 2);
    const zeros = tf.zeros([batch]);
    return tf.stack([cos, tf.neg(sin), xOffset, sin, cos, yOffset, zeros, zeros], 1) as tf.Tensor2D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}
