/**
 * Subtract: the Keras merge layer computing a - b from exactly two inputs of
 * the same shape (tfjs-layers has Add, Multiply … but no Subtract).
 */
import * as tf from '@tensorflow/tfjs';
import { isShapeList } from './base';

export class Subtract extends tf.layers.Layer {
  static className = 'Subtract';

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    if (!isShapeList(inputShape)) throw wrongInputCount(1);
    if (inputShape.length !== 2) throw wrongInputCount(inputShape.length);
    const [a, b] = inputShape;
    const compatible = a.length === b.length && a.every((d, i) => d == null || b[i] == null || d === b[i]);
    if (!compatible) {
      throw new Error(`Subtract expects inputs of the same shape, got ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
    }
    // Where one input leaves a dimension unknown, the other may know it.
    return a.map((d, i) => d ?? b[i]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length !== 2) throw wrongInputCount(list.length);
    this.computeOutputShape(list.map((t) => t.shape));
    return tf.sub(list[0], list[1]);
  }
}

function wrongInputCount(count: number): Error {
  return new Error(`Subtract expects exactly 2 inputs, got ${count}`);
}
