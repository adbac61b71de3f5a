/**
 * The form in which a model is saved: for inference, in TensorFlow.js's own
 * layers only, so that model.json loads in plain `@tensorflow/tfjs` (or in
 * Keras, through tensorflowjs_converter) without this project's code and
 * predicts what the trained model predicts.
 *
 * - The random augmentation layers are left out. As in Keras they are the
 *   identity outside training (trainer/layers/augmentation.ts), so each
 *   layer that took an augmentation's output takes its input instead.
 * - Subtract becomes a Rescaling(scale=-1, offset=0) of the second input and
 *   an Add, named as the Subtract was: in IEEE arithmetic a - b is defined
 *   as a + (-b), and negating is exact, so the values are the same to the bit.
 * - Maxout(units, pieces) becomes one Dense(units) per piece, holding that
 *   piece's columns of the kernel (column j of Maxout's kernel belongs to
 *   unit floor(j / pieces)) and entries of the bias, and a Maximum of them,
 *   named as the Maxout was; with one piece, a Dense with Maxout's weights.
 *
 * The rewrite works on the saved JSON (snake_case keys, as tfjs writes
 * them), for functional models and Sequential ones alike; a Sequential
 * model with a layer to rewrite is written as the equivalent functional
 * model, since a Maximum or an Add has more than one input.
 */
import * as tf from '@tensorflow/tfjs';
import { AUGMENTATION_LAYERS, CUSTOM_LAYERS } from './layers';

type Json = Record<string, unknown>;
/** An inbound tensor: [layer name, node index, tensor index, the call's keyword arguments]. */
type Ref = [string, number, number, Json?];

/** A layer of a functional model's config. */
interface LayerEntry {
  class_name: string;
  name: string;
  config: Json;
  /** Per call of the layer (node), the tensors it was called on. */
  inbound_nodes: Ref[][];
}

interface GraphConfig {
  name?: unknown;
  layers: LayerEntry[];
  input_layers: Ref[];
  output_layers: Ref[];
}

interface Topology {
  class_name: string;
  config: unknown;
  [key: string]: unknown;
}

/** A Maxout written as pieces: where its kernel and bias go. */
interface MaxoutSplit {
  layer: string;
  units: number;
  /** The Dense layer of each piece, in order. */
  pieceLayers: string[];
}

const DROPPED: ReadonlySet<string> = new Set(AUGMENTATION_LAYERS);
const REWRITTEN: ReadonlySet<string> = new Set([...AUGMENTATION_LAYERS, 'Maxout', 'Subtract']);
const CUSTOM: ReadonlySet<string> = new Set(Object.keys(CUSTOM_LAYERS));

/** A weight by name, as tf.io.encodeWeights takes them (tfjs does not export the type). */
type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * The artifacts of `model.save` in the inference form; the same object when
 * the model has no layer to rewrite, or no JSON topology.
 */
export async function inferenceArtifacts(artifacts: tf.io.ModelArtifacts): Promise<tf.io.ModelArtifacts> {
  if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer) return artifacts;
  const topology = artifacts.modelTopology as Topology;
  if (!classNames(topology).some((name) => REWRITTEN.has(name))) return artifacts;
  const graph = topology.class_name === 'Sequential' ? sequentialGraph(topology.config) : (structuredClone(topology.config) as GraphConfig);
  const { layers, splits } = rewrite(graph);
  const left = layers.filter((layer) => CUSTOM.has(layer.class_name)).map((layer) => `${layer.name} (${layer.class_name})`);
  if (left.length > 0) throw new Error(`saveModel: no stock TensorFlow.js form for ${left.join(', ')}`);
  const config: GraphConfig = { ...graph, layers, output_layers: graph.output_layers.map(resolver(graph.layers)) };
  const modelTopology = { ...topology, class_name: topology.class_name === 'Sequential' ? 'Model' : topology.class_name, config };
  if (splits.length === 0) return { ...artifacts, modelTopology };
  const weights = await splitWeights(artifacts, splits);
  return { ...artifacts, modelTopology, weightSpecs: weights.specs, weightData: weights.data };
}

/** The class of every layer in a saved topology, functional or Sequential. */
function classNames(topology: Topology): string[] {
  const config = topology.config as { layers?: { class_name: string }[] } | { class_name: string }[];
  const layers = Array.isArray(config) ? config : (config.layers ?? []);
  return layers.map((layer) => layer.class_name);
}

/**
 * A Sequential config as the equivalent functional one: its InputLayer, or
 * one made from the first layer's batch_input_shape, then each layer called
 * on the one before.
 */
function sequentialGraph(config: unknown): GraphConfig {
  const list = structuredClone(Array.isArray(config) ? config : (config as { layers: unknown[] }).layers) as { class_name: string; config: Json }[];
  const name = Array.isArray(config) ? undefined : (config as { name?: unknown }).name;
  const taken = new Set(list.map((layer) => String(layer.config['name'])));
  let [first, ...rest] = list;
  if (!first) throw new Error('saveModel: a Sequential model without layers cannot be saved');
  if (first.class_name !== 'InputLayer') {
    const { batch_input_shape: batchShape, input_shape: inputShape, batch_size: batchSize, ...kept } = first.config;
    const shape = batchShape ?? (Array.isArray(inputShape) ? [batchSize ?? null, ...(inputShape as unknown[])] : undefined);
    if (!shape) throw new Error('saveModel: the first layer of a Sequential model has no input shape');
    const inputName = freshName(`${String(kept['name'])}_input`, taken);
    rest = [{ ...first, config: kept }, ...rest];
    first = { class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: kept['dtype'] ?? 'float32', sparse: false, name: inputName } };
  }
  const input = String(first.config['name']);
  const layers: LayerEntry[] = [{ class_name: 'InputLayer', name: input, config: first.config, inbound_nodes: [] }];
  for (const layer of rest) {
    const previous = layers[layers.length - 1]!.name;
    layers.push({ class_name: layer.class_name, name: String(layer.config['name']), config: layer.config, inbound_nodes: [[[previous, 0, 0, {}]]] });
  }
  return { name, layers, input_layers: [[input, 0, 0]], output_layers: [[layers[layers.length - 1]!.name, 0, 0]] };
}

/** The layers in their stock form, and the Maxouts whose weights are split into pieces. */
function rewrite(graph: GraphConfig): { layers: LayerEntry[]; splits: MaxoutSplit[] } {
  const taken = new Set(graph.layers.map((layer) => layer.name));
  const resolve = resolver(graph.layers);
  const layers: LayerEntry[] = [];
  const splits: MaxoutSplit[] = [];
  for (const layer of graph.layers) {
    if (DROPPED.has(layer.class_name)) continue;
    const inbound = layer.inbound_nodes.map((node) => node.map(resolve));
    const base = { trainable: layer.config['trainable'] ?? true, ...(layer.config['dtype'] === undefined ? {} : { dtype: layer.config['dtype'] }) };
    const entry = (class_name: string, name: string, config: Json, inbound_nodes: Ref[][]): LayerEntry => ({ class_name, name, config: { name, ...base, ...config }, inbound_nodes });
    if (layer.class_name === 'Subtract') {
      const negated = freshName(`${layer.name}_negated`, taken);
      layers.push(entry('Rescaling', negated, { scale: -1, offset: 0 }, inbound.map((node) => [node[1]!])));
      layers.push(entry('Add', layer.name, {}, inbound.map((node, i) => [node[0]!, [negated, i, 0, {}]])));
    } else if (layer.class_name === 'Maxout') {
      const units = layer.config['units'] as number;
      const pieces = layer.config['pieces'] as number;
      const dense = { units, activation: 'linear', use_bias: layer.config['use_bias'] ?? true };
      if (pieces === 1) {
        // The Dense has the Maxout's name, so its weights keep theirs.
        layers.push(entry('Dense', layer.name, dense, inbound));
        continue;
      }
      const names = Array.from({ length: pieces }, (_, piece) => freshName(`${layer.name}_piece_${piece + 1}`, taken));
      for (const name of names) layers.push(entry('Dense', name, dense, inbound));
      layers.push(entry('Maximum', layer.name, {}, inbound.map((_, i) => names.map((name): Ref => [name, i, 0, {}]))));
      splits.push({ layer: layer.name, units, pieceLayers: names });
    } else {
      layers.push({ ...layer, inbound_nodes: inbound });
    }
  }
  return { layers, splits };
}

/** Maps a reference to a dropped layer's output onto that layer's input, through any chain of them. */
function resolver(layers: LayerEntry[]): (ref: Ref) => Ref {
  const dropped = new Map(layers.filter((layer) => DROPPED.has(layer.class_name)).map((layer) => [layer.name, layer]));
  return ([name, node, tensor, ...kwargs]) => {
    let at: [string, number, number] = [name, node, tensor];
    for (let layer = dropped.get(at[0]); layer; layer = dropped.get(at[0])) {
      const source = layer.inbound_nodes[at[1]]?.[0];
      if (!source) throw new Error(`saveModel: layer '${layer.name}' has no input for node ${at[1]}`);
      at = [source[0], source[1], source[2]];
    }
    return [...at, ...kwargs] as Ref;
  };
}

function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** The weights with each split Maxout's kernel and bias given to its pieces, in the same order otherwise. */
async function splitWeights(artifacts: tf.io.ModelArtifacts, splits: MaxoutSplit[]): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const specs = artifacts.weightSpecs ?? [];
  const tensors = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs);
  const made: tf.Tensor[] = [];
  try {
    const named: NamedTensor[] = [];
    for (const spec of specs) {
      const tensor = tensors[spec.name]!;
      const split = splits.find((candidate) => spec.name === `${candidate.layer}/kernel` || spec.name === `${candidate.layer}/bias`);
      if (!split) {
        named.push({ name: spec.name, tensor });
        continue;
      }
      const kind = spec.name.slice(split.layer.length + 1);
      // Kernel [in, units·pieces] as [in, units, pieces], bias as [units, pieces]: piece p is the slice at p on the last axis.
      const pieces = split.pieceLayers.length;
      const grouped = tensor.reshape([...tensor.shape.slice(0, -1), split.units, pieces]);
      made.push(grouped);
      tf.split(grouped, pieces, -1).forEach((slice, piece) => {
        const values = slice.reshape(slice.shape.slice(0, -1));
        made.push(slice, values);
        named.push({ name: `${split.pieceLayers[piece]}/${kind}`, tensor: values });
      });
    }
    return await tf.io.encodeWeights(named);
  } finally {
    tf.dispose([...Object.values(tensors), ...made]);
  }
}
