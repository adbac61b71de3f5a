/**
 * Turns an analysed network into a tfjs functional model. Each tfjs layer
 * gets only the arguments the user wrote (plus its name and `trainable`, and
 * the few corrections below where tfjs differs from Keras), so tfjs applies
 * its own defaults; the parameter counts tfjs then builds
 * are checked against the core's static ones, and a mismatch is a bug that
 * fails loudly.
 */
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, buildOrder, findLayer, layerSpec, type ArgValue, type LayerSpec, type Network, type NetworkLayer, type ResolvedArgs, type Shape, type Signature } from '../core';
import { Maxout, RandomBrightness, RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom, Subtract } from './layers';

type Config = Record<string, unknown>;
type Factory = (config: Config) => tf.layers.Layer;

/** Adapts a typed tfjs factory to the configs built here; tfjs checks the values itself. */
const from =
  <A>(factory: (args: A) => tf.layers.Layer): Factory =>
  (config) =>
    factory(config as A);

/** tfjs's layer for each catalog layer, by the catalog's (Keras's) name. */
const FACTORIES: Record<string, Factory> = {
  Dense: from(tf.layers.dense),
  Maxout: from((args: ConstructorParameters<typeof Maxout>[0]) => new Maxout(args)),
  Embedding: from(tf.layers.embedding),
  Activation: from(tf.layers.activation),
  ReLU: from(tf.layers.reLU),
  LeakyReLU: from(tf.layers.leakyReLU),
  ELU: from(tf.layers.elu),
  PReLU: from(tf.layers.prelu),
  Softmax: from(tf.layers.softmax),
  Dropout: from(tf.layers.dropout),
  GaussianNoise: from(tf.layers.gaussianNoise),
  BatchNormalization: from(tf.layers.batchNormalization),
  LayerNormalization: from(tf.layers.layerNormalization),
  Flatten: from(tf.layers.flatten),
  Reshape: from(tf.layers.reshape),
  Rescaling: from(tf.layers.rescaling),
  Conv1D: from(tf.layers.conv1d),
  Conv2D: from(tf.layers.conv2d),
  Conv2DTranspose: from(tf.layers.conv2dTranspose),
  MaxPooling1D: from(tf.layers.maxPooling1d),
  MaxPooling2D: from(tf.layers.maxPooling2d),
  AveragePooling1D: from(tf.layers.averagePooling1d),
  AveragePooling2D: from(tf.layers.averagePooling2d),
  GlobalAveragePooling1D: from(tf.layers.globalAveragePooling1d),
  GlobalAveragePooling2D: from(tf.layers.globalAveragePooling2d),
  GlobalMaxPooling1D: from(tf.layers.globalMaxPooling1d),
  GlobalMaxPooling2D: from(tf.layers.globalMaxPooling2d),
  SimpleRNN: from(tf.layers.simpleRNN),
  LSTM: from(tf.layers.lstm),
  GRU: from(tf.layers.gru),
  Bidirectional: from(tf.layers.bidirectional),
  Add: from(tf.layers.add),
  Subtract: from((args: ConstructorParameters<typeof Subtract>[0]) => new Subtract(args)),
  Multiply: from(tf.layers.multiply),
  Average: from(tf.layers.average),
  Maximum: from(tf.layers.maximum),
  Minimum: from(tf.layers.minimum),
  Concatenate: from(tf.layers.concatenate),
  RandomFlip: from((args: ConstructorParameters<typeof RandomFlip>[0]) => new RandomFlip(args)),
  RandomRotation: from((args: ConstructorParameters<typeof RandomRotation>[0]) => new RandomRotation(args)),
  RandomTranslation: from((args: ConstructorParameters<typeof RandomTranslation>[0]) => new RandomTranslation(args)),
  RandomZoom: from((args: ConstructorParameters<typeof RandomZoom>[0]) => new RandomZoom(args)),
  RandomBrightness: from((args: ConstructorParameters<typeof RandomBrightness>[0]) => new RandomBrightness(args)),
  RandomContrast: from((args: ConstructorParameters<typeof RandomContrast>[0]) => new RandomContrast(args)),
};

/** tfjs's identifiers of the Keras initializers (not all are the camelCase: lecun → leCun). */
const INITIALIZERS: Record<string, string> = {
  glorot_uniform: 'glorotUniform',
  glorot_normal: 'glorotNormal',
  he_uniform: 'heUniform',
  he_normal: 'heNormal',
  lecun_uniform: 'leCunUniform',
  lecun_normal: 'leCunNormal',
  zeros: 'zeros',
  ones: 'ones',
  random_normal: 'randomNormal',
  random_uniform: 'randomUniform',
  truncated_normal: 'truncatedNormal',
  orthogonal: 'orthogonal',
};

/**
 * Arguments passed even when the user left them out, by layer: where tfjs's
 * default behaves differently from Keras's, which the language follows, and
 * where the trainer's own layer has no default.
 */
const ALWAYS_PASSED: Record<string, readonly string[]> = {
  // tfjs: hard_sigmoid; Keras: sigmoid.
  LSTM: ['recurrent_activation'],
  GRU: ['recurrent_activation'],
  // tfjs: axis 1; Keras: the last.
  Softmax: ['axis'],
  Maxout: ['pieces'],
};

/** Keras's `leaky_relu` activation: slope 0.2 below zero. */
const LEAKY_RELU_ALPHA = 0.2;

/** What tfjs made of one layer of the network. */
export interface TfjsLayerReport {
  name: string;
  /** The tensor the layer leaves in the model. */
  output: tf.SymbolicTensor;
  /** Batch first (null), as the core's shapes. */
  outputShape: Shape;
  trainable: number;
  nonTrainable: number;
}

/**
 * Builds the tfjs model of a network that has no errors, with the file's
 * layer names. Throws when a layer's parameter count differs from the core's.
 */
export function buildModel(network: Network): tf.LayersModel {
  const model = assemble(network);
  const reports = reportLayers(model, network);
  connectedLayers(network).forEach((layer, i) => {
    const report = reports[i]!;
    const expected = layer.params!;
    if (report.trainable !== expected.trainable || report.nonTrainable !== expected.nonTrainable) {
      model.dispose();
      throw new Error(
        `${network.name}: layer '${layer.name}' (${layer.type}) has ${report.trainable} trainable and ${report.nonTrainable} non-trainable ` +
          `parameters in TensorFlow.js, but the core counts ${expected.trainable} and ${expected.nonTrainable}`,
      );
    }
  });
  return model;
}

/** Per connected layer of the network, in source order: its output shape and weight counts in the tfjs model. */
export function reportLayers(model: tf.LayersModel, network: Network): TfjsLayerReport[] {
  return connectedLayers(network).map((layer) => {
    const built = [model.getLayer(layer.name)];
    if (appendsLeakyReLU(layer, layerSpec(layer))) built.push(model.getLayer(leakyReLUName(layer.name)));
    const output = built[built.length - 1]!.output as tf.SymbolicTensor;
    return {
      name: layer.name,
      output,
      outputShape: output.shape,
      trainable: sum(built.map((l) => weightCount(l.trainableWeights))),
      nonTrainable: sum(built.map((l) => weightCount(l.nonTrainableWeights))),
    };
  });
}

function assemble(network: Network): tf.LayersModel {
  const tensors = new Map<string, tf.SymbolicTensor>();
  for (const input of network.inputs) {
    tensors.set(input.name, tf.input({ shape: checked(network, input).outputShape!.slice(1), name: input.name }));
  }
  // The core's build order: each layer after its sources, though a name may be used before the statement that defines it.
  for (const layer of buildOrder(network)) {
    if (layer.type === 'Input') continue;
    const sources = layer.inbound.map((name) => tensors.get(name));
    if (sources.some((source) => !source)) throw new Error(`${network.name}: layer '${layer.name}' has sources that are never built`);
    tensors.set(layer.name, applyLayer(checked(network, layer), specOf(network, layer), sources as tf.SymbolicTensor[]));
  }
  return tf.model({
    inputs: network.inputs.map((input) => tensors.get(input.name)!),
    outputs: network.outputs.map((output) => tensors.get(output.name)!),
    name: network.name,
  });
}

function applyLayer(layer: NetworkLayer, spec: LayerSpec, inputs: tf.SymbolicTensor[]): tf.SymbolicTensor {
  const leaky = appendsLeakyReLU(layer, spec);
  // tfjs has no `leaky_relu` activation string: such a layer is built linear and followed by a LeakyReLU layer.
  const args = leaky ? { ...layer.args!, values: { ...layer.args!.values, activation: 'linear' } } : layer.args!;
  const config: Config = { ...tfjsConfig(spec, args), name: layer.name, trainable: args.values['trainable'] };
  // tfjs's Reshape leaves a -1 unknown in its symbolic shape (it takes the batch for an unknown input
  // dimension), which breaks a Dense after it: pass the size the core inferred.
  const target = layer.outputShape!.slice(1);
  if (spec.name === 'Reshape' && target.every((dim) => dim !== null)) config['targetShape'] = target;
  // tfjs's Concatenate runs on the last axis for every negative axis: count it from the front.
  if (spec.name === 'Concatenate' && (config['axis'] as number) < 0) config['axis'] = (config['axis'] as number) + inputs[0]!.shape.length;
  const output = createLayer(spec.name, config).apply(spec.merge ? inputs : inputs[0]!) as tf.SymbolicTensor;
  if (!leaky) return output;
  return tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name: leakyReLUName(layer.name) }).apply(output) as tf.SymbolicTensor;
}

function createLayer(type: string, config: Config): tf.layers.Layer {
  const factory = FACTORIES[type];
  if (!factory) throw new Error(`no TensorFlow.js layer for ${type}`);
  const layer = factory(config);
  // tfjs's Bidirectional ignores `trainable` in its config; the property freezes both directions.
  if (config['trainable'] === false) layer.trainable = false;
  return layer;
}

/** The given arguments (and ALWAYS_PASSED) under tfjs's names and spellings. */
function tfjsConfig(spec: Signature, args: ResolvedArgs): Config {
  const config: Config = {};
  for (const param of spec.params) {
    if (!args.given.includes(param.name) && !ALWAYS_PASSED[spec.name]?.includes(param.name)) continue;
    config[param.tfjsName ?? camelCase(param.name)] = tfjsValue(param.name, args.values[param.name]);
  }
  return config;
}

function tfjsValue(name: string, value: ArgValue): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && value.kind === 'call') return createLayer(value.name, tfjsConfig(findLayer(value.name)!, value.args));
  if (name === 'activation' || name === 'recurrent_activation') return tfjsActivation(value as string);
  if (name.endsWith('_initializer')) return INITIALIZERS[value as string];
  return value;
}

function tfjsActivation(name: string): string {
  const tfjsName = ACTIVATIONS.find((activation) => activation.name === name)?.tfjsName;
  if (!tfjsName) throw new Error(`TensorFlow.js has no activation '${name}' here`);
  return tfjsName;
}

/** Layers whose own activation is leaky_relu; inside a recurrent cell it cannot be appended, and tfjsActivation refuses it. */
function appendsLeakyReLU(layer: NetworkLayer, spec: LayerSpec | undefined): boolean {
  return spec?.category !== 'recurrent' && layer.args?.values['activation'] === 'leaky_relu';
}

function leakyReLUName(layer: string): string {
  return `${layer}_leaky_relu`;
}

function connectedLayers(network: Network): NetworkLayer[] {
  return network.layers.filter((layer) => layer.connected);
}

function specOf(network: Network, layer: NetworkLayer): LayerSpec {
  const spec = layerSpec(layer);
  if (!spec) throw new Error(`${network.name}: layer '${layer.name}' is of no known type (${layer.type})`);
  return spec;
}

function checked(network: Network, layer: NetworkLayer): NetworkLayer {
  if (!layer.outputShape || !layer.params) throw new Error(`${network.name}: layer '${layer.name}' has errors; only a network without errors can be built`);
  return layer;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Built weights have every dimension known. */
function weightCount(weights: tf.LayerVariable[]): number {
  return sum(weights.map((weight) => weight.shape.reduce<number>((a, b) => a * b!, 1)));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
