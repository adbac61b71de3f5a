/**
 * Types and helpers shared by the custom layers. tfjs does not export its
 * `LayerArgs` or `Kwargs` types, so they are derived from `tf.layers.Layer`.
 */
import * as tf from '@tensorflow/tfjs';

/** The base options every layer takes: `name`, `trainable`, `inputShape`, `dtype` … */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** The keyword arguments tfjs passes to `Layer.call`, such as `training`. */
export type Kwargs = Parameters<tf.layers.Layer['call']>[1];

/** Whether `shape` is a list of input shapes rather than a single shape. */
export function isShapeList(shape: tf.Shape | tf.Shape[]): shape is tf.Shape[] {
  return Array.isArray(shape[0]);
}

export function singleShape(shape: tf.Shape | tf.Shape[], layer: string): tf.Shape {
  if (isShapeList(shape)) {
    if (shape.length !== 1) throw new Error(`${layer} expects a single input, got ${shape.length}`);
    return shape[0];
  }
  return shape;
}

export function singleTensor(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`${layer} expects a single input, got ${inputs.length}`);
    return inputs[0];
  }
  return inputs;
}

export function positiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
