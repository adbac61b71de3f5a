/**
 * Saves a tfjs layers model as `model.json` + `weights.bin`, the layers
 * format that `tf.loadLayersModel` and tensorflowjs_converter read, and
 * loads it back. What is saved is the model for inference, in stock layers
 * only (trainer/inference.ts), so that plain TensorFlow.js loads it. Pure
 * @tensorflow/tfjs has no file:// handler in Node, so the file I/O is done
 * here, through tfjs's in-memory handlers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeFolders, writeAtomic } from './artifacts';
import { fileError } from './fileErrors';
import { inferenceArtifacts } from './inference';
// Registers the custom layers (Maxout, Subtract, Random*), so that a model.json saved with them by an earlier version loads.
import './layers';

import { MODEL_FILE } from '../protocol/history';
export const WEIGHTS_BIN = 'weights.bin';

export interface SavedModel {
  /** The path of model.json: topology, training config and weights manifest. */
  modelJson: string;
  /** The path of weights.bin: every weight's values, in the manifest's order. */
  weights: string;
}

/**
 * Writes `model` into `dir` (created if need be), replacing an earlier save
 * there, in the inference form: without the augmentation layers, Maxout and
 * Subtract in stock layers; a failure is a FileError naming the file and the cause.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<SavedModel> {
  try {
    makeFolders(dir);
  } catch (error) {
    throw fileError(error, 'cannot create the folder', dir);
  }
  const saved: SavedModel = { modelJson: join(dir, MODEL_FILE), weights: join(dir, WEIGHTS_BIN) };
  await model.save(
    tf.io.withSaveHandler(async (trained) => {
      const artifacts = await inferenceArtifacts(trained);
      const topology = artifacts.modelTopology;
      if (!topology || topology instanceof ArrayBuffer) throw new Error('saveModel: only layers models (with a JSON topology) can be saved');
      // Weights first: model.json is what readers open, so it appears only once its weights are in place.
      writeAtomic(saved.weights, new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)), { durable: true });
      const json: tf.io.ModelJSON = {
        modelTopology: topology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      writeAtomic(saved.modelJson, JSON.stringify(json), { durable: true });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return saved;
}

/** Loads a model that saveModel (or any tfjs layers-format writer) put in `dir`. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    // Other writers may shard the weights over several files; their specs run on across the files in order.
    const shards = manifest.flatMap((group) => group.paths.map((path) => arrayBuffer(readFileSync(join(dir, path)))));
    return [tf.io.getWeightSpecs(manifest), shards];
  });
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** A Buffer's bytes as an ArrayBuffer of their own (a Buffer may be a view into a larger pool). */
function arrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
