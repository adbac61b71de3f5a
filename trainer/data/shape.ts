import { DataError, type DataLocation } from './errors';

export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * The sample shape to hand the model: its input shape, once the source's
 * values per sample (reshaped by `shape` where given) are known to fill it.
 */
export function fitInput(featureCount: number, shape: number[] | null, inputShape: number[], name: string, location: DataLocation = {}): number[] {
  if (shape && product(shape) !== featureCount) {
    throw new DataError(`shape [${shape.join(', ')}] holds ${product(shape)} values, but each sample of ${name} has ${featureCount} features`, location);
  }
  const wanted = product(inputShape);
  if (wanted !== featureCount) {
    throw new DataError(`${name} gives ${featureCount} features per sample, but the model's input [${inputShape.join(', ')}] takes ${wanted} values`, location);
  }
  return [...inputShape];
}
