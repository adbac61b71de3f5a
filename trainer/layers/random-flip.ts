/**
 * RandomFlip: flips each NHWC image left-right and/or upside down with
 * probability 1/2. In 'horizontal_and_vertical' mode the two flips are drawn
 * independently, as in tf.keras 2.
 */
import * as tf from '@tensorflow/tfjs';
import { RandomLayer, type RandomLayerArgs, oneOf } from './augmentation';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

const MODES: readonly FlipMode[] = ['horizontal', 'vertical', 'horizontal_and_vertical'];

export interface RandomFlipArgs extends RandomLayerArgs {
  /** Default 'horizontal_and_vertical'. */
  mode?: FlipMode;
}

export class RandomFlip extends RandomLayer {
  static className = 'RandomFlip';
  readonly mode: FlipMode;

  constructor(args: RandomFlipArgs = {}) {
    super(args, [4], 'NHWC images of rank 4 (batch, height, width, channels)');
    this.mode = parseMode(args.mode ?? 'horizontal_and_vertical');
  }

  protected override augment(x: tf.Tensor): tf.Tensor {
    let out = x as tf.Tensor4D;
    if (this.mode !== 'vertical') out = this.flipSome(out, tf.image.flipLeftRight(out));
    if (this.mode !== 'horizontal') out = this.flipSome(out, tf.reverse(out, 1));
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }

  /** Takes `flipped` for a random half of the samples and `images` for the rest. */
  private flipSome(images: tf.Tensor4D, flipped: tf.Tensor4D): tf.Tensor4D {
    const chosen = tf.less(this.uniform(this.perSampleShape(images), 0, 1), 0.5);
    return tf.where(chosen, flipped, images);
  }
}

/**
 * tfjs camel-cases string values when it loads a saved config, turning
 * 'horizontal_and_vertical' into 'horizontalAndVertical'; accept that spelling too.
 */
function parseMode(mode: unknown): FlipMode {
  return oneOf(mode === 'horizontalAndVertical' ? 'horizontal_and_vertical' : mode, MODES, 'RandomFlip mode');
}
