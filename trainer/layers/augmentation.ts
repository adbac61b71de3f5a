/**
 * Base classes for the random augmentation layers. As in Keras, they change
 * their input only while training (`training: true`, which `model.fit`
 * passes) and are the identity otherwise; they have no weights and keep the
 * input's shape.
 */
import * as tf from '@tensorflow/tfjs';
import { type Kwargs, type LayerArgs, singleShape, singleTensor } from './base';

/** A fraction f, meaning [-f, f], or an explicit [lower, upper] pair. */
export type Factor = number | [number, number];

export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
export type Interpolation = 'bilinear' | 'nearest';

const FILL_MODES: readonly FillMode[] = ['reflect', 'wrap', 'constant', 'nearest'];
const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest'];

/** Checks that `value` is a pair of finite numbers. */
export function numberPair(value: unknown, what: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`${what} must be a pair of numbers, got ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}

/**
 * The range [lower, upper] a factor stands for (a number f means [-|f|, |f|]),
 * checked to be ordered and within [min, max].
 */
export function factorRange(factor: unknown, what: string, min: number, max: number): [number, number] {
  const [lower, upper] = typeof factor === 'number' ? [-Math.abs(factor), Math.abs(factor)] : numberPair(factor, what);
  if (lower > upper) throw new Error(`${what}: lower bound ${lower} exceeds upper bound ${upper}`);
  if (lower < min || upper > max) throw new Error(`${what} must lie within [${min}, ${max}], got [${lower}, ${upper}]`);
  return [lower, upper];
}

/** Checks a value range [low, high] with low < high. */
export function valueRange(value: unknown, what: string): [number, number] {
  const [low, high] = numberPair(value, what);
  if (low >= high) throw new Error(`${what} must have low < high, got [${low}, ${high}]`);
  return [low, high];
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`${what} must be one of ${allowed.map((v) => `'${v}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export interface RandomLayerArgs extends LayerArgs {
  /** Makes the random draws reproducible; `null` is what a reloaded config holds for "none". */
  seed?: number | null;
}

export abstract class RandomLayer extends tf.layers.Layer {
  readonly seed: number | undefined;
  /** Offsets the seed so that each draw of a seeded layer differs yet a rerun repeats them all. */
  private draws = 0;

  /** `ranks`: the input ranks the layer accepts, checked with a clear message. */
  constructor(
    args: RandomLayerArgs,
    private readonly ranks: readonly number[],
    private readonly inputDescription: string,
  ) {
    super(args);
    this.seed = args.seed ?? undefined;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape, this.getClassName());
    this.checkRank(shape.length);
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const input = singleTensor(inputs, this.getClassName());
      this.checkRank(input.rank);
      // Keras computes in float, so integer images come out as floats either way.
      const x = tf.cast(input, 'float32');
      return kwargs['training'] === true ? this.augment(x) : x;
    });
  }

  /** Applies the random change to a float32 batch of an accepted rank. */
  protected abstract augment(x: tf.Tensor): tf.Tensor;

  /** Uniform samples in [low, high); seeded draws use a fresh seed each time. */
  protected uniform(shape: number[], low: number, high: number): tf.Tensor {
    return tf.randomUniform(shape, low, high, 'float32', this.seed === undefined ? undefined : this.seed + this.draws++);
  }

  /** A shape that broadcasts one value per sample over the rest of `x`. */
  protected perSampleShape(x: tf.Tensor): number[] {
    return [x.shape[0], ...x.shape.slice(1).map(() => 1)];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed ?? null };
  }

  private checkRank(rank: number): void {
    if (!this.ranks.includes(rank)) {
      throw new Error(`${this.getClassName()} expects ${this.inputDescription}, got an input of rank ${rank}`);
    }
  }
}

export interface ImageTransformArgs extends RandomLayerArgs {
  /** How to fill points outside the image; default 'reflect', as in Keras. */
  fillMode?: FillMode;
  /** The value 'constant' fills with; default 0. */
  fillValue?: number;
  /** Default 'bilinear', as in Keras. */
  interpolation?: Interpolation;
}

/**
 * A geometric augmentation of NHWC images: a random projective transform per
 * sample, applied by tf.image.transform, which implements all four Keras fill
 * modes, so none needs mapping to another.
 */
export abstract class ImageTransformLayer extends RandomLayer {
  readonly fillMode: FillMode;
  readonly fillValue: number;
  readonly interpolation: Interpolation;

  constructor(args: ImageTransformArgs) {
    super(args, [4], 'NHWC images of rank 4 (batch, height, width, channels)');
    this.fillMode = oneOf(args.fillMode ?? 'reflect', FILL_MODES, 'fillMode');
    this.interpolation = oneOf(args.interpolation ?? 'bilinear', INTERPOLATIONS, 'interpolation');
    const fillValue = args.fillValue ?? 0;
    if (typeof fillValue !== 'number' || !Number.isFinite(fillValue)) {
      throw new Error(`fillValue must be a number, got ${String(fillValue)}`);
    }
    this.fillValue = fillValue;
  }

  /**
   * Per-sample transforms, shape [batch, 8]: row [a0, a1, a2, b0, b1, b2, c0, c1]
   * maps output pixel (x, y) to input point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k),
   * k = c0 x + c1 y + 1.
   */
  protected abstract transforms(batch: number, height: number, width: number): tf.Tensor2D;

  protected override augment(x: tf.Tensor): tf.Tensor {
    const images = x as tf.Tensor4D;
    const [batch, height, width] = images.shape;
    const transforms = this.transforms(batch, height, width);
    // The wasm kernel transforms a batch in one call (a split, 64 transforms
    // and a concat took some 15 ms a step of the digits CNN at batch 64).
    if (tf.getBackend() === 'wasm') return tf.image.transform(images, transforms, this.interpolation, this.fillMode, this.fillValue);
    // The CPU kernel of tf.image.transform (tfjs 4.22) returns after the first
    // image of a batch and leaves the others at fillValue, so transform one at a time.
    const outputs = tf.split<tf.Tensor4D>(images, batch, 0).map((image, i) =>
      tf.image.transform(image, transforms.slice([i, 0], [1, 8]), this.interpolation, this.fillMode, this.fillValue),
    );
    return tf.concat(outputs, 0);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), fillMode: this.fillMode, fillValue: this.fillValue, interpolation: this.interpolation };
  }
}
