/**
 * Maxout (Goodfellow et al., 2013; Keras 1's MaxoutDense): a dense layer with
 * `units * pieces` outputs whose consecutive groups of `pieces` are reduced
 * by max, giving `units` outputs. Output column j of the kernel belongs to
 * unit floor(j / pieces).
 */
import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, positiveInt, singleShape, singleTensor } from './base';

export interface MaxoutArgs extends LayerArgs {
  units: number;
  /** Linear pieces per unit. */
  pieces: number;
  /** Default true. */
  useBias?: boolean;
}

export class Maxout extends tf.layers.Layer {
  static className = 'Maxout';
  readonly units: number;
  readonly pieces: number;
  readonly useBias: boolean;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: MaxoutArgs) {
    super(args);
    this.units = positiveInt(args.units, 'Maxout units');
    this.pieces = positiveInt(args.pieces, 'Maxout pieces');
    this.useBias = args.useBias ?? true;
    this.inputSpec = [new tf.InputSpec({ minNDim: 2 })];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const inDim = this.inputDim(singleShape(inputShape, 'Maxout'));
    const outDim = this.units * this.pieces;
    this.kernel = this.addWeight('kernel', [inDim, outDim], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [outDim], 'float32', tf.initializers.zeros());
    this.inputSpec = [new tf.InputSpec({ minNDim: 2, axes: { [-1]: inDim } })];
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape, 'Maxout');
    this.inputDim(shape);
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs, 'Maxout');
      const kernel = this.kernel!.read();
      const leading = x.shape.slice(0, -1);
      // matMul wants rank 2: fold the leading axes into rows and restore them after.
      let y = tf.matMul(tf.reshape(x, [-1, kernel.shape[0]]), kernel);
      if (this.bias) y = tf.add(y, this.bias.read());
      return tf.max(tf.reshape(y, [...leading, this.units, this.pieces]), -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, pieces: this.pieces, useBias: this.useBias };
  }

  private inputDim(shape: tf.Shape): number {
    const inDim = shape.length >= 2 ? shape[shape.length - 1] : null;
    if (inDim == null) {
      throw new Error(`Maxout expects an input of rank >= 2 with a known last dimension, got shape ${JSON.stringify(shape)}`);
    }
    return inDim;
  }
}
