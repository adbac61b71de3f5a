/**
 * Labels become classes by their distinct values in sorted order, fixed by
 * the training data and reused, never re-fitted, for validation data.
 */
import { DataError } from './errors';
import { createRandom } from './random';
import { product } from './shape';
import type { Label, RawData, Subset } from './types';

/** Numbers numerically before strings; strings by code unit, the same in every locale. */
function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function encodeLabels(train: RawData): { classes: Label[]; indices: Int32Array } {
  const classes = [...new Set(Array.from(train.labels))].sort(compareLabels);
  return { classes, indices: encodeWith(classes, train) };
}

/** Class indices of `data`'s labels by classes fixed earlier; a label outside them is an error. */
export function encodeWith(classes: readonly Label[], data: RawData): Int32Array {
  const index = new Map(classes.map((label, i) => [label, i]));
  const indices = new Int32Array(data.count);
  for (let row = 0; row < data.count; row++) {
    const label = data.labels[row];
    const found = index.get(label);
    if (found === undefined) throw unknownLabel(label, row, classes, data);
    indices[row] = found;
  }
  return indices;
}

function unknownLabel(label: Label, row: number, classes: readonly Label[], data: RawData): DataError {
  const shown = (value: Label) => (typeof value === 'string' ? `'${value}'` : String(value));
  const known = classes.length <= 10 ? classes.map(shown).join(', ') : `${classes.length} classes`;
  const origin = data.rows;
  const where = origin ? `${data.name} line ${origin.lines[row]}` : `${data.name} sample ${row + 1}`;
  return new DataError(`${where}: label ${shown(label)} is not among the training data's classes (${known})`, {
    file: origin?.file,
    line: origin?.lines[row],
    column: origin?.labelColumn,
  });
}

/**
 * Holds out `fraction` of each class, chosen at random by `seed`, so both
 * parts keep the class proportions (tfjs's validationSplit takes the last
 * rows, which in a sorted file may be one class). A class of two or more
 * keeps at least one sample on each side; a class of one stays in training.
 * Both parts keep the rows' original order.
 */
export function stratifiedSplit(data: RawData, indices: Int32Array, fraction: number, seed: number): { train: Subset; validation: Subset } {
  const random = createRandom(seed);
  const byClass = new Map<number, number[]>();
  indices.forEach((label, row) => {
    const rows = byClass.get(label);
    if (rows) rows.push(row);
    else byClass.set(label, [row]);
  });
  const held = new Uint8Array(data.count);
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = random.shuffle(Int32Array.from(byClass.get(label)!));
    const take = rows.length < 2 ? 0 : Math.min(Math.max(Math.round(fraction * rows.length), 1), rows.length - 1);
    for (const row of rows.subarray(0, take)) held[row] = 1;
  }
  const pick = (keep: number): Subset => {
    const rows: number[] = [];
    held.forEach((flag, row) => {
      if (flag === keep) rows.push(row);
    });
    return { data: selectRows(data, rows), indices: Int32Array.from(rows, (row) => indices[row]) };
  };
  return { train: pick(0), validation: pick(1) };
}

function selectRows(data: RawData, rows: readonly number[]): RawData {
  const size = product(data.featureShape);
  const features = new Float32Array(rows.length * size);
  rows.forEach((row, to) => features.set(data.features.subarray(row * size, (row + 1) * size), to * size));
  const subset: RawData = {
    features,
    labels: rows.map((row) => data.labels[row]),
    count: rows.length,
    featureShape: data.featureShape,
    name: data.name,
  };
  const origin = data.rows;
  if (origin) subset.rows = { ...origin, lines: Int32Array.from(rows, (row) => origin.lines[row]) };
  if (data.header) subset.header = data.header;
  if (data.extraLabels) subset.extraLabels = data.extraLabels.map(({ column, labels }) => ({ column, labels: rows.map((row) => labels[row]!) }));
  return subset;
}
