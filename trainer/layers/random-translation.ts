/**
 * RandomTranslation: shifts each NHWC image by random fractions of its
 * height and width (factor f means [-f, f]; positive moves down and right).
 */
import * as tf from '@tensorflow/tfjs';
import { type Factor, ImageTransformLayer, type ImageTransformArgs, factorRange } from './augmentation';

export interface RandomTranslationArgs extends ImageTransformArgs {
  /** Fraction of the height: f for [-f, f], or [lower, upper], within [-1, 1]. */
  heightFactor: Factor;
  /** Fraction of the width, likewise. */
  widthFactor: Factor;
}

export class RandomTranslation extends ImageTransformLayer {
  static className = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];

  constructor(args: RandomTranslationArgs) {
    super(args);
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor;
    this.heightRange = factorRange(args.heightFactor, 'RandomTranslation heightFactor', -1, 1);
    this.widthRange = factorRange(args.widthFactor, 'RandomTranslation widthFactor', -1, 1);
  }

  protected override transforms(batch: number, height: number, width: number): tf.Tensor2D {
    const dy = tf.mul(this.uniform([batch], ...this.heightRange), height);
    const dx = tf.mul(this.uniform([batch], ...this.widthRange), width);
    const ones = tf.ones([batch]);
    const zeros = tf.zeros([batch]);
    // Output pixel (x, y) samples input (x - dx, y - dy).
    return tf.stack([ones, zeros, tf.neg(dx), zeros, ones, tf.neg(dy), zeros, zeros], 1) as tf.Tensor2D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}
