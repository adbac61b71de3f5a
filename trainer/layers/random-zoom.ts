/**
 * RandomZoom: zooms each NHWC image about its centre. A factor f means
 * [-f, f]; the image is scaled by 1 / (1 + draw), so positive draws zoom out
 * and negative ones zoom in, as in Keras.
 */
import * as tf from '@tensorflow/tfjs';
import { type Factor, ImageTransformLayer, type ImageTransformArgs, factorRange } from './augmentation';

export interface RandomZoomArgs extends ImageTransformArgs {
  /** f for [-f, f], or [lower, upper], with lower >= -1. */
  heightFactor: Factor;
  /** Likewise; left out or null, the width zooms by the height's draw, keeping the aspect ratio. */
  widthFactor?: Factor | null;
}

export class RandomZoom extends ImageTransformLayer {
  static className = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | undefined;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number] | undefined;

  constructor(args: RandomZoomArgs) {
    super(args);
    this.heightFactor = args.heightFactor;
    this.widthFactor = args.widthFactor ?? undefined;
    this.heightRange = factorRange(args.heightFactor, 'RandomZoom heightFactor', -1, Infinity);
    this.widthRange =
      this.widthFactor === undefined ? undefined : factorRange(this.widthFactor, 'RandomZoom widthFactor', -1, Infinity);
  }

  protected override transforms(batch: number, height: number, width: number): tf.Tensor2D {
    const [hLower, hUpper] = this.heightRange;
    const zy = this.uniform([batch], 1 + hLower, 1 + hUpper);
    const zx = this.widthRange ? this.uniform([batch], 1 + this.widthRange[0], 1 + this.widthRange[1]) : zy;
    // Offsets that keep the centre fixed while output (x, y) samples input (zx x, zy y) + offset.
    const xOffset = tf.mul(tf.sub(1, zx), (width - 1) / 2);
    const yOffset = tf.mul(tf.sub(1, zy), (height - 1) / 2);
    const zeros = tf.zeros([batch]);
    return tf.stack([zx, zeros, xOffset, zeros, zy, yOffset, zeros, zeros], 1) as tf.Tensor2D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor ?? null };
  }
}
