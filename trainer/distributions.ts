/**
 * The per-layer summaries behind the panel's Layers tab: a tensor's values
 * as TensorBoard's distribution bands and a histogram, the fraction of a
 * ReLU layer's units that never fire, the fixed sample the activations are
 * taken on, and a model that gives every layer's output in one forward pass.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { DISTRIBUTION_QUANTILES, HISTOGRAM_BINS, type Distribution } from '../protocol/training';

/** How many samples the activations are taken on at most. */
export const SAMPLE_SIZE = 256;

/**
 * How many values the inner bands are read from at most: a larger tensor's
 * inner bands come from an evenly strided sample of this many, its min,
 * max and histogram still from every value. Selecting the bands' ranks
 * from all of the course MLP's 784×1024 kernel took some 60 ms, which with
 * its other tensors came to 8% of an epoch at batch 128; from 65,536 it
 * takes about 5 ms (bench/README.md).
 */
export const MAX_SORTED = 2 ** 16;

/** The ranks linear interpolation reads for each quantile of `n` sorted values: floor(h) and the one after. */
function ranksOf(n: number): number[] {
  const ranks = new Set<number>();
  for (const q of DISTRIBUTION_QUANTILES) {
    const h = (n - 1) * q;
    const low = Math.floor(h);
    ranks.add(low);
    if (low + 1 < n) ranks.add(low + 1);
  }
  return [...ranks].sort((a, b) => a - b);
}

/**
 * Puts the k-th smallest of values[lo..hi] at k, the smaller ones before it
 * and the larger after (Wirth's selection: Hoare's partition, which keeps
 * runs of equal values, such as a ReLU's zeros, from costing more).
 */
function selectRank(values: Float64Array, k: number, lo: number, hi: number): void {
  while (lo < hi) {
    const pivot = values[k]!;
    let i = lo;
    let j = hi;
    do {
      while (values[i]! < pivot) i++;
      while (pivot < values[j]!) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
}

/**
 * Places every rank of `ranks` (ascending) as a full sort would: the
 * middle rank first, then those before it in the part before, and those
 * after in the part after. A stack, not recursion; its depth is that of
 * the ranks' halving.
 */
function selectRanks(values: Float64Array, ranks: readonly number[]): void {
  const stack: [number, number, number, number][] = [[0, ranks.length - 1, 0, values.length - 1]];
  while (stack.length) {
    const [first, last, lo, hi] = stack.pop()!;
    if (first > last) continue;
    const middle = (first + last) >> 1;
    const k = ranks[middle]!;
    selectRank(values, k, lo, hi);
    stack.push([first, middle - 1, lo, k - 1], [middle + 1, last, k + 1, hi]);
  }
}

/** The quantile q of values whose ranks are in place, interpolated linearly (numpy.quantile's default). */
function quantile(placed: Float64Array, q: number): number {
  const h = (placed.length - 1) * q;
  const low = Math.floor(h);
  const below = placed[low]!;
  if (low + 1 >= placed.length) return below;
  return below + (h - low) * (placed[low + 1]! - below);
}

/** The values of a tensor as its bands and histogram; values that are not finite are left out and counted. */
export function summarize(data: ArrayLike<number>): Distribution {
  let finite = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value - value !== 0) continue; // NaN or ±Infinity
    finite++;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const nonFinite = data.length - finite;
  const extra = nonFinite ? { nonFinite } : {};
  if (finite === 0) return { bands: [], histogram: { min: 0, max: 0, counts: new Array<number>(HISTOGRAM_BINS).fill(0) }, count: data.length, ...extra };
  const values = bandValues(data, finite);
  selectRanks(values, ranksOf(values.length));
  const bands = DISTRIBUTION_QUANTILES.map((q) => quantile(values, q));
  // The ends are every value's, sampled or not.
  bands[0] = min;
  bands[bands.length - 1] = max;
  return { bands, histogram: histogram(data, min, max), count: data.length, ...(values.length < finite ? { sampled: values.length } : {}), ...extra };
}

/** The finite values the inner bands are read from, as a copy to select in: all of them, or MAX_SORTED evenly strided ones of a larger tensor. */
function bandValues(data: ArrayLike<number>, finite: number): Float64Array {
  if (finite === data.length && finite <= MAX_SORTED) return Float64Array.from(data);
  const kept = Math.min(finite, MAX_SORTED);
  const values = new Float64Array(kept);
  const stride = finite / kept;
  let next = 0;
  let seen = 0;
  let take = 0;
  for (let i = 0; i < data.length && next < kept; i++) {
    const value = data[i]!;
    if (value - value !== 0) continue; // NaN or ±Infinity
    if (seen === take) {
      values[next++] = value;
      take = Math.floor(next * stride);
    }
    seen++;
  }
  return values;
}

/** numpy.histogram(values, bins=HISTOGRAM_BINS): equal bins over [min, max], the last closed; one value alone gets [value − 0.5, value + 0.5]. */
function histogram(data: ArrayLike<number>, min: number, max: number): Distribution['histogram'] {
  const low = min === max ? min - 0.5 : min;
  const high = min === max ? max + 0.5 : max;
  const counts = new Float64Array(HISTOGRAM_BINS);
  const scale = HISTOGRAM_BINS / (high - low);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value - value !== 0) continue; // NaN or ±Infinity
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((value - low) * scale));
    counts[bin]!++;
  }
  return { min: low, max: high, counts: Array.from(counts) };
}

/**
 * The fraction of units that never fire: a unit is one index of the last
 * axis (an output feature or channel), and it never fires when its output
 * is ≤ 0 for every sample and position.
 */
export function deadFraction(data: ArrayLike<number>, units: number): number {
  if (units <= 0) return 0;
  const fired = new Uint8Array(units);
  for (let row = 0; row < data.length; row += units) {
    for (let unit = 0; unit < units; unit++) if (data[row + unit]! > 0) fired[unit] = 1;
  }
  let dead = 0;
  for (const unit of fired) if (!unit) dead++;
  return dead / units;
}

/**
 * The rows of the fixed sample: all of `count` when there are at most
 * SAMPLE_SIZE, else SAMPLE_SIZE of them drawn without replacement by a
 * generator of its own seeded with the run's seed, ascending.
 */
export function sampleIndices(count: number, seed: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (count <= SAMPLE_SIZE) return all;
  const random = seedrandom(`${seed}:distributions`);
  // A partial Fisher–Yates shuffle: the first SAMPLE_SIZE places.
  for (let i = 0; i < SAMPLE_SIZE; i++) {
    const j = i + Math.floor(random() * (count - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, SAMPLE_SIZE).sort((a, b) => a - b);
}

/** A layer whose output the probe gives, with its place among the probe's outputs. */
export interface ProbedLayer {
  layer: tf.layers.Layer;
  /** Index in the probe's outputs; undefined for a layer with several outputs. */
  output?: number;
}

/**
 * A model over the same layers (sharing their weights, so never disposed)
 * whose outputs are every layer's output: one predict gives them all.
 */
export function layerProbe(model: tf.LayersModel): { probe: tf.LayersModel; layers: ProbedLayer[] } {
  const outputs: tf.SymbolicTensor[] = [];
  const layers: ProbedLayer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const output = layer.output;
    if (Array.isArray(output)) {
      layers.push({ layer });
      continue;
    }
    layers.push({ layer, output: outputs.length });
    outputs.push(output);
  }
  return { probe: tf.model({ inputs: model.inputs, outputs }), layers };
}
