/**
 * The built-in toy sets: the logic gates, and the generated sets made as
 * scikit-learn's make_moons, make_circles and make_blobs and CS231n's spiral
 * make them. Classes are balanced and the rows shuffled, as scikit-learn
 * does, so that training without shuffling still sees mixed batches.
 */
import { createRandom, permutation, type Random } from './random';
import { fitInput } from './shape';
import type { RawData } from './types';

const GATES = {
  xor: (a: number, b: number) => a ^ b,
  and: (a: number, b: number) => a & b,
  or: (a: number, b: number) => a | b,
};

export type Gate = keyof typeof GATES;

export function logicGate(gate: Gate, inputShape: number[]): RawData {
  const corners = [[0, 0], [0, 1], [1, 0], [1, 1]] as const;
  return {
    features: Float32Array.from(corners.flat()),
    labels: Int32Array.from(corners, ([a, b]) => GATES[gate](a, b)),
    count: corners.length,
    featureShape: fitInput(2, null, inputShape, `${gate}()`),
    name: `${gate}()`,
  };
}

/** Fills one sample's features given its class and its index within the class; points are built class by class. */
type PointMaker = (out: Float32Array, offset: number, label: number, index: number, classSize: number) => void;

function generate(name: string, samples: number, classes: number, featureCount: number, inputShape: number[], random: Random, make: PointMaker): RawData {
  const featureShape = fitInput(featureCount, null, inputShape, name);
  const ordered = new Float32Array(samples * featureCount);
  const orderedLabels = new Int32Array(samples);
  let row = 0;
  for (let label = 0; label < classes; label++) {
    // The first samples % classes classes take one more, so class sizes differ by at most one.
    const size = Math.floor(samples / classes) + (label < samples % classes ? 1 : 0);
    for (let index = 0; index < size; index++, row++) {
      make(ordered, row * featureCount, label, index, size);
      orderedLabels[row] = label;
    }
  }
  const order = permutation(samples, random);
  const features = new Float32Array(samples * featureCount);
  const labels = new Int32Array(samples);
  order.forEach((from, to) => {
    features.set(ordered.subarray(from * featureCount, (from + 1) * featureCount), to * featureCount);
    labels[to] = orderedLabels[from];
  });
  return { features, labels, count: samples, featureShape, name };
}

/** `count` evenly spaced steps from 0 to 1, both ends included (numpy's linspace). */
const fractionOf = (index: number, count: number): number => (count > 1 ? index / (count - 1) : 0);

/** CS231n's spiral: each arm's radius grows from 0 to 1 while its angle turns through 4 radians, the angle blurred by `noise`. */
export function spiral(samples: number, classes: number, noise: number, seed: number, inputShape: number[]): RawData {
  const random = createRandom(seed);
  return generate('spiral()', samples, classes, 2, inputShape, random, (out, offset, label, index, size) => {
    const radius = fractionOf(index, size);
    const angle = 4 * (label + fractionOf(index, size)) + noise * random.normal();
    out[offset] = radius * Math.sin(angle);
    out[offset + 1] = radius * Math.cos(angle);
  });
}

/** make_blobs: centers drawn uniformly from (-10, 10) in each dimension, points normal around them. */
export function blobs(samples: number, centers: number, features: number, std: number, seed: number, inputShape: number[]): RawData {
  const random = createRandom(seed);
  const middles = Array.from({ length: centers }, () => Array.from({ length: features }, () => -10 + 20 * random.uniform()));
  return generate('blobs()', samples, centers, features, inputShape, random, (out, offset, label) => {
    for (let d = 0; d < features; d++) out[offset + d] = middles[label][d] + std * random.normal();
  });
}

/** make_circles: class 0 on the unit circle, class 1 on a circle of radius `factor`, evenly spaced, then blurred. */
export function circles(samples: number, noise: number, factor: number, seed: number, inputShape: number[]): RawData {
  const random = createRandom(seed);
  return generate('circles()', samples, 2, 2, inputShape, random, (out, offset, label, index, size) => {
    const angle = (2 * Math.PI * index) / size;
    const radius = label === 0 ? 1 : factor;
    out[offset] = radius * Math.cos(angle) + noise * random.normal();
    out[offset + 1] = radius * Math.sin(angle) + noise * random.normal();
  });
}

/** make_moons: an upper half circle (class 0) and a lower one shifted right and down (class 1), then blurred. */
export function moons(samples: number, noise: number, seed: number, inputShape: number[]): RawData {
  const random = createRandom(seed);
  return generate('moons()', samples, 2, 2, inputShape, random, (out, offset, label, index, size) => {
    const angle = Math.PI * fractionOf(index, size);
    const x = label === 0 ? Math.cos(angle) : 1 - Math.cos(angle);
    const y = label === 0 ? Math.sin(angle) : 0.5 - Math.sin(angle);
    out[offset] = x + noise * random.normal();
    out[offset + 1] = y + noise * random.normal();
  });
}
