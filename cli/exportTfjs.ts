/**
 * `layerwise export tfjs`: the untrained model in TensorFlow.js's format,
 * built as the trainer builds it. Loaded only by that command, since it
 * brings in tfjs.
 */
import type { Network } from '../core';
import { buildModel } from '../trainer/buildModel';
import { saveModel, type SavedModel } from '../trainer/saveModel';

export async function exportTfjs(network: Network, dir: string): Promise<SavedModel> {
  const model = buildModel(network);
  try {
    return await saveModel(model, dir);
  } finally {
    model.dispose();
  }
}
