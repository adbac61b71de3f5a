/**
 * The trainer's data: loads a train block's data source into flat arrays,
 * encodes labels as classes, holds out stratified validation data, and
 * makes the tensors fit() takes.
 */
import { resolve } from 'node:path';
import { keyedLabels, type DataSourceUse } from '../../core';
import { loadCsv } from './csv';
import { blobs, circles, logicGate, moons, spiral } from './generated';
import { loadImageFolder } from './imageFolder';
import { loadMnist } from './mnist';
import { loadNumpy, type ArraySource, type NumpyOptions } from './numpy';
import type { RawData } from './types';

export { DataError, type DataLocation } from './errors';
export { encodeLabels, encodeWith, stratifiedSplit } from './labels';
export { checkClassesFitOutput, toTensors, type LossTarget } from './tensors';
export type { Label, RawData, RowOrigin, Subset } from './types';

export interface LoadContext {
  /** The .net file's folder: CSV and image folder paths are relative to it. */
  baseDir: string;
  /** The model's input shape without the batch dimension; null for data split into several inputs afterwards (see inputs.ts). */
  inputShape: number[] | null;
  /** The train block's seed, for sources not given their own. */
  seed: number;
}

export async function loadDataSource(use: DataSourceUse, context: LoadContext): Promise<RawData> {
  const values = use.args.values;
  const numberArg = (name: string) => values[name] as number;
  // A source's own seed (generated sets have one) wins over the train block's.
  const seed = typeof values['seed'] === 'number' ? values['seed'] : context.seed;
  const inputShape = context.inputShape ?? [];
  switch (use.spec.name) {
    case 'csv': {
      const path = values['path'] as string;
      const shape = (values['shape'] as number[] | null) ?? null;
      // Labels per output (label={out_a: "ya", …}): the first is the label the split is stratified by, the others come along.
      const labels = keyedLabels(use)?.entries.map((entry) => entry.columns[0]!);
      const label = labels ? labels[0]! : (values['label'] as string);
      const file = resolve(context.baseDir, path);
      return loadCsv({ path, file, label, extraLabels: labels?.slice(1), scale: numberArg('scale'), shape, inputShape: context.inputShape });
    }
    case 'npy':
    case 'npz':
      return loadNumpy(numpyOptions(use, context));
    case 'images': {
      const path = values['path'] as string;
      const [height, width] = values['size'] as number[];
      const channels = values['color'] === 'grayscale' ? 1 : 3;
      return loadImageFolder({ path, dir: resolve(context.baseDir, path), size: [height!, width!], channels, scale: numberArg('scale'), inputShape });
    }
    case 'xor':
    case 'and':
    case 'or':
      return logicGate(use.spec.name, inputShape);
    case 'mnist':
      return loadMnist((values['samples'] as number | null) ?? null, seed, inputShape);
    case 'spiral':
      return spiral(numberArg('samples'), numberArg('classes'), numberArg('noise'), seed, inputShape);
    case 'blobs':
      return blobs(numberArg('samples'), numberArg('centers'), numberArg('features'), numberArg('std'), seed, inputShape);
    case 'circles':
      return circles(numberArg('samples'), numberArg('noise'), numberArg('factor'), seed, inputShape);
    case 'moons':
      return moons(numberArg('samples'), numberArg('noise'), seed, inputShape);
  }
  throw new Error(`no loader for the data source ${use.spec.name}()`);
}

/** The labels' array of an npy(...) or npz(...) source, or with y={…} one array per output (the first also as `labels`). */
export function numpyLabels(use: DataSourceUse, path: string, baseDir: string): { labels: ArraySource; outputLabels?: ArraySource[] } {
  const values = use.args.values;
  const array = (file: string, name: string): ArraySource => ({ path: file, file: resolve(baseDir, file), array: name });
  if (use.spec.name === 'npy') return { labels: array(values['labels'] as string, '') };
  const perOutput = keyedLabels(use)?.entries.map((entry) => array(path, entry.columns[0]!));
  return perOutput ? { labels: perOutput[0]!, outputLabels: perOutput } : { labels: array(path, values['y'] as string) };
}

/** The arrays an npy(...) or npz(...) source names, resolved against the .net file's folder. */
function numpyOptions(use: DataSourceUse, context: LoadContext): NumpyOptions {
  const values = use.args.values;
  const path = values['path'] as string;
  const array = (file: string, name: string) => ({ path: file, file: resolve(context.baseDir, file), array: name });
  const npy = use.spec.name === 'npy';
  return {
    name: `${use.spec.name}("${path}")`,
    features: npy ? array(path, '') : array(path, values['x'] as string),
    ...numpyLabels(use, path, context.baseDir),
    scale: values['scale'] as number,
    shape: (values['shape'] as number[] | null) ?? null,
    // Several inputs are given columns by csv(inputs=…) only; the dataset refuses other sources for them.
    inputShape: context.inputShape ?? [],
  };
}
