/**
 * The trainer's data: loads a train block's data source into flat arrays,
 * encodes labels as classes, holds out stratified validation data, and
 * makes the tensors fit() takes.
 */
import { resolve } from 'node:path';
import type { DataSourceUse } from '../../core';
import { loadCsv } from './csv';
import { blobs, circles, logicGate, moons, spiral } from './generated';
import { loadImageFolder } from './imageFolder';
import { loadMnist } from './mnist';
import type { RawData } from './types';

export { DataError, type DataLocation } from './errors';
export { encodeLabels, encodeWith, stratifiedSplit } from './labels';
export { checkClassesFitOutput, toTensors, type LossTarget } from './tensors';
export type { Label, RawData, RowOrigin, Subset } from './types';

export interface LoadContext {
  /** The .net file's folder: CSV and image folder paths are relative to it. */
  baseDir: string;
  /** The model's input shape without the batch dimension. */
  inputShape: number[];
  /** The train block's seed, for sources not given their own. */
  seed: number;
}

export async function loadDataSource(use: DataSourceUse, context: LoadContext): Promise<RawData> {
  const values = use.args.values;
  const numberArg = (name: string) => values[name] as number;
  // A source's own seed (generated sets have one) wins over the train block's.
  const seed = typeof values['seed'] === 'number' ? values['seed'] : context.seed;
  const { inputShape } = context;
  switch (use.spec.name) {
    case 'csv': {
      const path = values['path'] as string;
      const shape = (values['shape'] as number[] | null) ?? null;
      return loadCsv({ path, file: resolve(context.baseDir, path), label: values['label'] as string, scale: numberArg('scale'), shape, inputShape });
    }
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
