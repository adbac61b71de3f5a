/**
 * `layerwise export tfjs`: the untrained model in TensorFlow.js's format,
 * built as the trainer builds it and saved as the trainer saves a trained
 * one: for inference, in stock layers only (trainer/inference.ts), so that
 * plain @tensorflow/tfjs loads it. Loaded only by that command, since it
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
