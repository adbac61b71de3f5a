/**
 * Differential test: TensorFlow.js is the oracle. Seeded random models, as
 * .net source, are analysed by the core and built with tfjs; for every layer
 * the output shape and the trainable / non-trainable parameter counts must
 * agree, and every catalog layer must occur in some generated model.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { ACTIVATIONS, analyze, findLayer, formatShape, LAYERS, type Network, type NetworkLayer, type Shape } from '../core';
import { buildModel, reportLayers } from '../trainer/buildModel';
import '../trainer/layers';

// The environment may ask for another seed or more runs, to explore.
const SEED = Number(process.env['DIFFERENTIAL_SEED'] ?? 20260514);
const RUNS = Number(process.env['DIFFERENTIAL_RUNS'] ?? 1000);
/** The batch and the size of a `none` dimension when a model is run. */
const BATCH = 2;
const STEPS = 3;

// ---------------------------------------------------------------------------
// Checking one source against tfjs

/** Builds every model of `source` with tfjs and compares it with the core, layer by layer. Returns the layer types seen. */
function check(source: string): string[] {
  const analysis = analyze(source);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 0, `the core reports errors:\n${errors.map((d) => `  ${d.code}: ${d.message}`).join('\n')}\n${listing(source)}`);
  const types: string[] = [];
  for (const { network } of analysis.models) {
    let model: tf.LayersModel;
    try {
      model = buildModel(network);
    } catch (error) {
      // buildModel's own count check, or tfjs refusing what the core accepts.
      assert.fail(`building ${network.name} failed: ${(error as Error).message}\n${listing(source)}`);
    }
    try {
      compare(network, model, source);
    } finally {
      model.dispose();
    }
    types.push(...network.layers.filter((layer) => layer.connected).map((layer) => layer.type));
  }
  return types;
}

function compare(network: Network, model: tf.LayersModel, source: string): void {
  const layers = network.layers.filter((layer) => layer.connected);
  const reports = reportLayers(model, network);
  layers.forEach((layer, i) => {
    const tfjs = reports[i]!;
    const where = `layer '${layer.name}' (${layer.type}) of ${network.name}`;
    assert.deepEqual(tfjs.outputShape, layer.outputShape, `${where}: tfjs shape ${shape(tfjs.outputShape)}, core ${shape(layer.outputShape)}\n${listing(source)}`);
    const counts = { trainable: layer.params!.trainable, nonTrainable: layer.params!.nonTrainable };
    assert.deepEqual({ trainable: tfjs.trainable, nonTrainable: tfjs.nonTrainable }, counts, `${where}: tfjs counts ${tfjs.trainable} + ${tfjs.nonTrainable}, core ${counts.trainable} + ${counts.nonTrainable}\n${listing(source)}`);
  });
  run(network, model, layers.flatMap((layer, i) => (layer.type === 'Input' ? [] : [{ layer, output: reports[i]!.output }])), source);
  const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * b!, 1), 0);
  const totals = { total: model.countParams(), trainable, nonTrainable: model.countParams() - trainable };
  assert.deepEqual(totals, network.params, `${network.name} totals: tfjs ${JSON.stringify(totals)}, core ${JSON.stringify(network.params)}\n${listing(source)}`);
}

/**
 * tfjs does not check every shape when it builds (Reshape's, say): runs the
 * model on zeros, for inference and for training (where augmentation acts),
 * and checks the shape of every layer's actual output.
 */
function run(network: Network, model: tf.LayersModel, built: { layer: NetworkLayer; output: tf.SymbolicTensor }[], source: string): void {
  const probe = tf.model({ inputs: model.inputs, outputs: built.map((b) => b.output) });
  for (const training of [false, true]) {
    const actual = tf.tidy(() => {
      const inputs = model.inputs.map((input) => tf.zeros([BATCH, ...input.shape.slice(1).map((dim) => dim ?? STEPS)]));
      return [probe.apply(inputs, { training }) as tf.Tensor | tf.Tensor[]].flat().map((output) => output.shape);
    });
    built.forEach(({ layer }, i) => {
      const expected = layer.outputShape!.map((dim, axis) => (axis === 0 ? BATCH : dim));
      const fits = actual[i]!.length === expected.length && expected.every((dim, axis) => dim === null || dim === actual[i]![axis]);
      const mode = training ? 'training' : 'inference';
      assert.ok(fits, `layer '${layer.name}' (${layer.type}) of ${network.name}: run on zeros (${mode}), it gives ${formatShape(actual[i]!)}, core ${shape(layer.outputShape)}\n${listing(source)}`);
    });
  }
}

const shape = (dims: Shape | undefined): string => (dims ? formatShape(dims) : 'unknown');

function listing(source: string): string {
  return `--- source ---\n${source.trimEnd()}\n--------------`;
}

// ---------------------------------------------------------------------------
// Generating models. A generated layer is its call's text and the shape it
// leaves, computed here independently of the core, so that each next layer
// can be drawn from those valid for the current shape.

/** Dimensions without the batch; null for `none`. */
type Dims = (number | null)[];

interface Piece {
  text: string;
  dims: Dims;
}

type Arg = string | undefined;

/** Draws a value half of the time; otherwise the argument is left out and its default applies. */
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });
const kw = (name: string, value: unknown): Arg => (value === undefined ? undefined : `${name}=${String(value)}`);
/** One call in eight gets it. */
const rarely = (text: string): fc.Arbitrary<Arg> => fc.constantFrom<Arg>(...Array<Arg>(7).fill(undefined), text);
/** `name=@` is numbered when the model is assembled, so that names are unique. */
const common = fc.tuple(rarely('name=@'), rarely('trainable=false'));

function call(name: string, args: Arg[], extra: Arg[] = []): string {
  return `${name}(${[...args, ...extra].filter((a): a is string => a !== undefined).join(', ')})`;
}

/** A required argument, by position or, if `keyword`, by name. */
const lead = (name: string, value: string | number, keyword: boolean): string => (keyword ? `${name}=${value}` : String(value));

/** Values of an enumeration argument, read from the catalog so that new values get generated too. */
function enumValues(layer: string, param: string, except: string[] = []): string[] {
  const type = findLayer(layer)!.params.find((p) => p.name === param)!.type;
  assert.equal(type.kind, 'enum');
  return type.kind === 'enum' ? type.values.filter((v) => !except.includes(v)) : [];
}

const size = fc.integer({ min: 1, max: 8 });
const bool = fc.boolean();
const activationArb = fc.constantFrom(...ACTIVATIONS.map((a) => a.name), 'none');
// The core refuses leaky_relu inside a recurrent cell (tfjs has none).
const cellActivation = fc.constantFrom(...ACTIVATIONS.map((a) => a.name).filter((a) => a !== 'leaky_relu'));
const kernelInitializer = fc.constantFrom(...enumValues('Dense', 'kernel_initializer'));
const biasInitializer = fc.constantFrom(...enumValues('Dense', 'bias_initializer'));
const rate = fc.constantFrom('0', '0.1', '0.5', '0.9');
const seedArb = fc.integer({ min: 0, max: 99 });
const fraction = fc.constantFrom('0.1', '-0.2', '0.25', '1/8');
/** A factor: a fraction, or an ordered pair within [-0.5, 0.5]. */
const factor = fc.oneof(fraction, fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 })).map(([a, b]) => `[${Math.min(a, b) / 10}, ${Math.max(a, b) / 10}]`));

const last = (dims: Dims): number | null => dims[dims.length - 1]!;
const known = (dims: Dims): dims is number[] => dims.every((d) => d !== null);
const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** `3`, or a tuple or list of the values. */
function intsText(values: number[], style: number): string {
  if (style === 0 && values.every((v) => v === values[0])) return String(values[0]);
  return style === 1 && values.length > 1 ? `(${values.join(', ')})` : `[${values.join(', ')}]`;
}

/** Sliding-window output sizes, as Keras documents them. */
function slide(n: number | null, size: number, stride: number, padding: string, dilation = 1): number | null {
  if (n === null) return null;
  return padding === 'same' ? Math.ceil(n / stride) : Math.ceil((n - (size - 1) * dilation) / stride);
}

/**
 * A layer that keeps the shape (`preserve`), or any layer valid for `dims`;
 * undefined where the layer does not fit. Windows over a size unknown until
 * run time use `same` padding, so that they fit whatever the size.
 */
type Candidate = (dims: Dims, preserve: boolean) => fc.Arbitrary<Piece> | undefined;

const sameShape =
  (name: string, args: fc.Arbitrary<Arg[]>): Candidate =>
  (dims) =>
    fc.tuple(args, common).map(([a, extra]) => ({ text: call(name, a, extra), dims }));

const denseLike =
  (name: 'Dense' | 'Maxout'): Candidate =>
  (dims, preserve) => {
    const width = last(dims);
    if (width === null) return undefined;
    const extras = name === 'Dense' ? opt(activationArb) : opt(fc.integer({ min: 1, max: 3 }));
    return fc
      .tuple(preserve ? fc.constant(width) : size, bool, extras, opt(bool), opt(kernelInitializer), opt(biasInitializer), common)
      .map(([units, keyword, extra, useBias, kernel, bias, more]) => ({
        text: call(name, [lead('units', units, keyword), kw(name === 'Dense' ? 'activation' : 'pieces', extra), kw('use_bias', useBias), ...(name === 'Dense' ? [kw('kernel_initializer', kernel), kw('bias_initializer', bias)] : [])], more),
        dims: [...dims.slice(0, -1), units],
      }));
  };

/** An axis with a known size: positive (1 = first after the batch) or negative; undefined leaves the default, -1. */
function knownAxis(dims: Dims): fc.Arbitrary<number | undefined> | undefined {
  const axes = dims.map((d, i) => (d === null ? [] : [i + 1, i - dims.length])).flat();
  if (axes.length === 0) return undefined;
  return last(dims) === null ? fc.constantFrom(...axes) : opt(fc.constantFrom(...axes));
}

function normalization(name: 'BatchNormalization' | 'LayerNormalization'): Candidate {
  return (dims) => {
    const axis = knownAxis(dims);
    if (!axis) return undefined;
    const momentum = name === 'BatchNormalization' ? opt(fc.constantFrom('0.9', '0.99')) : fc.constant(undefined);
    // The core refuses BatchNormalization without center or scale: tfjs cannot train it.
    const learned = name === 'BatchNormalization' ? opt(fc.constant(true)) : opt(bool);
    return fc
      .tuple(axis, momentum, opt(fc.constantFrom('0.001', '1e-5')), learned, learned, common)
      .map(([a, m, epsilon, center, scale, extra]) => ({
        text: call(name, [kw('axis', a), kw('momentum', m), kw('epsilon', epsilon), kw('center', center), kw('scale', scale)], extra),
        dims,
      }));
  };
}

/** Every way to write n as a product of one to three factors. */
function factorizations(n: number): number[][] {
  const result: number[][] = [[n]];
  for (let a = 1; a <= n; a++) {
    if (n % a !== 0) continue;
    result.push([a, n / a]);
    for (let b = 1; b <= n / a; b++) if ((n / a) % b === 0) result.push([a, b, n / a / b]);
  }
  return result;
}

const reshape: Candidate = (dims, preserve) => {
  if (!known(dims) || product(dims) > 2048) return undefined;
  const targets = preserve ? fc.constant(dims) : fc.constantFrom(...factorizations(product(dims)));
  return fc.tuple(targets, fc.nat(3), common).map(([target, infer, extra]) => ({
    // One dimension may be -1, inferred.
    text: call('Reshape', [`[${target.map((d, i) => (i === infer ? -1 : d)).join(', ')}]`], extra),
    dims: target,
  }));
};

const flatten: Candidate = (dims, preserve) =>
  preserve || dims.length < 2 || !known(dims) ? undefined : common.map((extra) => ({ text: call('Flatten', [], extra), dims: [product(dims)] }));

const prelu: Candidate = (dims) => {
  // Axes of unknown size must be shared; the others may be.
  const mustShare = dims.flatMap((d, i) => (d === null ? [i + 1] : []));
  const shared = fc.subarray(dims.map((_, i) => i + 1)).map((axes) => [...new Set([...mustShare, ...axes])].sort((x, y) => x - y));
  return fc.tuple(mustShare.length ? shared : opt(shared), common).map(([axes, extra]) => ({
    text: call('PReLU', [axes && axes.length ? `shared_axes=[${axes.join(', ')}]` : undefined], extra),
    dims,
  }));
};

// The core refuses other axes: tfjs's softmax works only along the last.
const softmax: Candidate = (dims) =>
  fc.tuple(opt(fc.constantFrom(dims.length, -1)), common).map(([axis, extra]) => ({ text: call('Softmax', [kw('axis', axis)], extra), dims }));

function convolution(name: 'Conv1D' | 'Conv2D' | 'Conv2DTranspose'): Candidate {
  const rank = name === 'Conv1D' ? 1 : 2;
  return (dims, preserve) => {
    const channels = last(dims);
    if (dims.length !== rank + 1 || channels === null) return undefined;
    const spatial = dims.slice(0, rank);
    const transpose = name === 'Conv2DTranspose';
    // Transposed strides multiply the size; keep the images small.
    const maxStride = preserve ? 1 : transpose ? (spatial.every((d) => d !== null && d <= 8) ? 2 : 1) : 3;
    return fc
      .record({
        filters: preserve ? fc.constant(channels) : size,
        kernel: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: rank, maxLength: rank }),
        strides: opt(fc.array(fc.integer({ min: 1, max: maxStride }), { minLength: rank, maxLength: rank })),
        dilation: transpose ? fc.constant(undefined) : opt(fc.array(fc.integer({ min: 1, max: 2 }), { minLength: rank, maxLength: rank })),
        padding: preserve || !known(spatial) ? fc.constant('same') : opt(fc.constantFrom('valid', 'same')),
        activation: opt(activationArb),
        useBias: opt(bool),
        kernelInitializer: opt(kernelInitializer),
        keyword: bool,
        style: fc.nat(2),
        extra: common,
      })
      .map((r) => {
        // The core refuses strides and dilation both above 1, as Keras does.
        const strides = r.strides ?? Array<number>(rank).fill(1);
        const dilation = strides.some((s) => s > 1) ? undefined : r.dilation;
        const padding = r.padding ?? 'valid';
        const out = spatial.map((n, i) => {
          const k = r.kernel[i]!;
          const s = strides[i]!;
          if (transpose) return n === null ? null : padding === 'same' ? n * s : n * s + Math.max(k - s, 0);
          return slide(n, k, s, padding, dilation?.[i] ?? 1);
        });
        const args = [
          lead('filters', r.filters, r.keyword),
          lead('kernel_size', intsText(r.kernel, r.style), r.keyword),
          kw('strides', r.strides && intsText(r.strides, r.style)),
          kw('padding', r.padding),
          kw('dilation_rate', dilation && intsText(dilation, r.style)),
          kw('activation', r.activation),
          kw('use_bias', r.useBias),
          kw('kernel_initializer', r.kernelInitializer),
        ];
        return { text: call(name, args, r.extra), dims: [...out, r.filters] };
      })
      .filter((piece) => piece.dims.every((d) => d === null || d >= 1));
  };
}

function pooling(name: string, rank: 1 | 2): Candidate {
  return (dims, preserve) => {
    if (dims.length !== rank + 1) return undefined;
    return fc
      .record({
        pool: preserve ? fc.constant(undefined) : opt(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank })),
        strides: preserve ? fc.constant(Array<number>(rank).fill(1)) : opt(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank })),
        padding: preserve || !known(dims.slice(0, rank)) ? fc.constant('same') : opt(fc.constantFrom('valid', 'same')),
        style: fc.nat(2),
        extra: common,
      })
      .map((r) => {
        const pool = r.pool ?? Array<number>(rank).fill(2);
        const strides = r.strides ?? pool;
        const out = dims.slice(0, rank).map((n, i) => slide(n, pool[i]!, strides[i]!, r.padding ?? 'valid'));
        const args = [kw('pool_size', r.pool && intsText(r.pool, r.style)), kw('strides', r.strides && intsText(r.strides, r.style)), kw('padding', r.padding)];
        return { text: call(name, args, r.extra), dims: [...out, last(dims)] };
      })
      .filter((piece) => piece.dims.every((d) => d === null || d >= 1));
  };
}

const globalPooling =
  (name: string, rank: 1 | 2): Candidate =>
  (dims, preserve) =>
    preserve || dims.length !== rank + 1 ? undefined : common.map((extra) => ({ text: call(name, [], extra), dims: [last(dims)] }));

const RNNS = ['SimpleRNN', 'LSTM', 'GRU'] as const;

/** A recurrent layer call over (steps, features), and its output dims. */
function recurrentCall(name: (typeof RNNS)[number], units: fc.Arbitrary<number>, sequences: fc.Arbitrary<boolean | undefined>) {
  return fc
    .record({
      units,
      sequences,
      keyword: bool,
      activation: opt(cellActivation),
      recurrentActivation: name === 'SimpleRNN' ? fc.constant(undefined) : opt(cellActivation),
      useBias: opt(bool),
      dropout: opt(rate),
      recurrentDropout: opt(rate),
      resetAfter: name === 'GRU' ? rarely('reset_after=false') : fc.constant(undefined),
      extra: common,
    })
    .map((r) => ({
      text: call(name, [
        lead('units', r.units, r.keyword),
        kw('activation', r.activation),
        kw('recurrent_activation', r.recurrentActivation),
        kw('use_bias', r.useBias),
        kw('return_sequences', r.sequences),
        kw('dropout', r.dropout),
        kw('recurrent_dropout', r.recurrentDropout),
        r.resetAfter,
      ], r.extra),
      units: r.units,
      sequences: r.sequences ?? false,
    }));
}

const recurrent =
  (name: (typeof RNNS)[number]): Candidate =>
  (dims, preserve) => {
    const features = last(dims);
    if (dims.length !== 2 || features === null) return undefined;
    return recurrentCall(name, preserve ? fc.constant(features) : size, preserve ? fc.constant(true) : opt(bool)).map((r) => ({
      text: r.text,
      dims: r.sequences ? [dims[0]!, r.units] : [r.units],
    }));
  };

const bidirectional: Candidate = (dims, preserve) => {
  const features = last(dims);
  if (dims.length !== 2 || features === null) return undefined;
  const modes = preserve && features % 2 === 1 ? enumValues('Bidirectional', 'merge_mode', ['concat']) : enumValues('Bidirectional', 'merge_mode');
  return fc
    .tuple(fc.constantFrom(...RNNS), preserve ? fc.constantFrom(...modes) : opt(fc.constantFrom(...modes)), common)
    .chain(([inner, mode, extra]) => {
      const concat = (mode ?? 'concat') === 'concat';
      const units = preserve ? fc.constant(concat ? features / 2 : features) : size;
      return recurrentCall(inner, units, preserve ? fc.constant(true) : opt(bool)).map((r) => {
        const width = concat ? 2 * r.units : r.units;
        return { text: call('Bidirectional', [r.text, kw('merge_mode', mode)], extra), dims: r.sequences ? [dims[0]!, width] : [width] };
      });
    });
};

function augmentation(name: string, args: fc.Arbitrary<Arg[]>): Candidate {
  return (dims) => (dims.length === 3 ? sameShape(name, fc.tuple(args, opt(seedArb)).map(([a, seed]) => [...a, kw('seed', seed)]))(dims, true) : undefined);
}

const fillArgs = fc.tuple(opt(fc.constantFrom(...enumValues('RandomRotation', 'fill_mode'))), opt(fc.constantFrom(...enumValues('RandomRotation', 'interpolation'))), opt(fc.constantFrom('0', '0.5')));
const fill = ([mode, interpolation, value]: (string | undefined)[]): Arg[] => [kw('fill_mode', mode), kw('interpolation', interpolation), kw('fill_value', value)];

/** Layers for any rank. */
const ANY_RANK: Candidate[] = [
  denseLike('Dense'),
  denseLike('Maxout'),
  sameShape('Activation', fc.tuple(activationArb, bool).map(([a, keyword]) => [lead('activation', a, keyword)])),
  sameShape('ReLU', fc.tuple(opt(fc.constantFrom('6', '1.5', 'none'))).map(([max]) => [kw('max_value', max)])),
  sameShape('LeakyReLU', fc.tuple(opt(fc.constantFrom('0.1', '0.3'))).map(([alpha]) => [kw('alpha', alpha)])),
  // The core refuses other alphas: tfjs's ELU has only 1.
  sameShape('ELU', fc.tuple(opt(fc.constantFrom('1', '1.0'))).map(([alpha]) => [kw('alpha', alpha)])),
  prelu,
  softmax,
  sameShape('Dropout', fc.tuple(rate, bool, opt(seedArb)).map(([r, keyword, seed]) => [lead('rate', r, keyword), kw('seed', seed)])),
  sameShape('GaussianNoise', fc.tuple(fc.constantFrom('0.1', '1'), opt(seedArb)).map(([stddev, seed]) => [stddev, kw('seed', seed)])),
  normalization('BatchNormalization'),
  normalization('LayerNormalization'),
  sameShape('Rescaling', fc.tuple(fc.constantFrom('1/255', '2', '0.5'), opt(fc.constantFrom('-1', '0.5'))).map(([scale, offset]) => [scale, kw('offset', offset)])),
  reshape,
  flatten,
];

/** Layers for sequences or images: drawn more often where they fit, so that chains reach them. */
const SHAPED: Candidate[] = [
  convolution('Conv1D'),
  convolution('Conv2D'),
  convolution('Conv2DTranspose'),
  pooling('MaxPooling1D', 1),
  pooling('AveragePooling1D', 1),
  pooling('MaxPooling2D', 2),
  pooling('AveragePooling2D', 2),
  globalPooling('GlobalAveragePooling1D', 1),
  globalPooling('GlobalMaxPooling1D', 1),
  globalPooling('GlobalAveragePooling2D', 2),
  globalPooling('GlobalMaxPooling2D', 2),
  ...RNNS.map(recurrent),
  bidirectional,
  augmentation('RandomFlip', fc.tuple(opt(fc.constantFrom(...enumValues('RandomFlip', 'mode')))).map(([mode]) => [kw('mode', mode)])),
  augmentation('RandomRotation', fc.tuple(factor, fillArgs).map(([f, rest]) => [f, ...fill(rest)])),
  augmentation('RandomTranslation', fc.tuple(factor, factor, fillArgs).map(([h, w, rest]) => [h, w, ...fill(rest)])),
  augmentation('RandomZoom', fc.tuple(factor, opt(factor), fillArgs).map(([h, w, rest]) => [h, kw('width_factor', w), ...fill(rest)])),
  augmentation('RandomBrightness', fc.tuple(factor, opt(fc.constantFrom('[0, 1]', '[-1, 1]'))).map(([f, range]) => [f, kw('value_range', range)])),
  augmentation('RandomContrast', fc.tuple(fc.oneof(fc.constantFrom('0.2', '0.5'), fc.constantFrom('[0.1, 0.3]', '[0.4, 0]'))).map(([f]) => [f])),
];

function layer(dims: Dims, preserve = false): fc.Arbitrary<Piece> {
  const fitting = (candidates: Candidate[], weight: number) => candidates.flatMap((candidate) => candidate(dims, preserve) ?? []).map((arbitrary) => ({ arbitrary, weight }));
  return fc.oneof(...fitting(ANY_RANK, 1), ...fitting(SHAPED, 3));
}

function chain(dims: Dims, length: number, preserve = false): fc.Arbitrary<Piece[]> {
  if (length === 0) return fc.constant([]);
  return layer(dims, preserve).chain((first) => chain(first.dims, length - 1, preserve).map((rest) => [first, ...rest]));
}

const chainOf = (dims: Dims, min: number, max: number, preserve = false): fc.Arbitrary<Piece[]> =>
  fc.integer({ min, max }).chain((length) => chain(dims, length, preserve));

const end = (dims: Dims, pieces: Piece[]): Dims => (pieces.length ? pieces[pieces.length - 1]!.dims : dims);
const pipe = (head: string, pieces: Piece[]): string => [head, ...pieces.map((p) => p.text)].join(' -> ');
const dimsText = (dims: Dims): string => `[${dims.map((d) => d ?? 'none').join(', ')}]`;

const inputDims: fc.Arbitrary<Dims> = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 16 })),
  fc.tuple(fc.option(fc.integer({ min: 2, max: 8 }), { nil: null, freq: 4 }), fc.integer({ min: 1, max: 6 })),
  fc.tuple(fc.option(fc.integer({ min: 3, max: 10 }), { nil: null, freq: 6 }), fc.option(fc.integer({ min: 3, max: 10 }), { nil: null, freq: 6 }), fc.integer({ min: 1, max: 3 })),
);

/** A chain that ends in a rank-1 vector of `units`: what two branches need to be merged. */
const vector = (dims: Dims, units: number): fc.Arbitrary<Piece[]> =>
  chainOf(dims, 0, 2).map((pieces) => {
    const at = end(dims, pieces);
    const flat = at.length > 1 && known(at) ? [{ text: 'Flatten()', dims: [product(at)] }] : [];
    const pooled = at.length > 1 && !known(at) ? [{ text: `GlobalMaxPooling${at.length - 1}D()`, dims: [last(at)] }] : [];
    return [...pieces, ...flat, ...pooled, { text: `Dense(${units})`, dims: [units] }];
  });

const ELEMENTWISE = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'];

/** Model bodies, one line per statement. */
const templates: fc.Arbitrary<string[]>[] = [
  // Sequential style: an unnamed input and one layer per line.
  inputDims.chain((dims) => chainOf(dims, 1, 6).map((pieces) => [`input ${dimsText(dims)}`, ...pieces.map((p) => p.text)])),
  // One pipeline, on one line or continued with leading arrows.
  inputDims.chain((dims) =>
    fc.tuple(chainOf(dims, 1, 6), bool).map(([pieces, split]) => [`input x: ${dimsText(dims)}`, split ? pipe('x', pieces).replaceAll(' -> ', '\n    -> ') : pipe('x', pieces)]),
  ),
  // A residual block: branches that keep the shape, merged (or joined on any axis); the trunk may be defined after its use.
  inputDims.chain((dims) =>
    chainOf(dims, 1, 3).chain((trunk) => {
      const at = end(dims, trunk);
      const merges = fc.constantFrom(...ELEMENTWISE, 'Concatenate');
      return fc.tuple(merges, chainOf(at, 1, 3, true), chainOf(at, 1, 2, true), bool, bool, rarely('u = a -> Dense(3)'), fc.nat(at.length - 1), bool).chain(([merge, b, c, three, late, unused, axis, negative]) => {
        const operands = merge !== 'Subtract' && three ? ['a', 'b', 'c'] : ['a', 'b'];
        const join = merge === 'Concatenate';
        const merged = join ? at.map((d, i) => (i === axis && d !== null ? d * operands.length : d)) : at;
        const mergeCall = join ? `Concatenate(axis=${negative ? axis - at.length : axis + 1})` : `${merge}()`;
        return chainOf(merged, 0, 2).map((tail) => {
          const a = `a = ${pipe('x', trunk)}`;
          const branches = [`b = ${pipe('a', b)}`, ...(operands.length === 3 ? [`c = ${pipe('a', c)}`] : [])];
          return [
            `input x: ${dimsText(dims)}`,
            ...(late ? [...branches, a] : [a, ...branches]),
            `m = (${operands.join(', ')}) -> ${mergeCall}`,
            // A branch that reaches no output is not part of the model (a warning).
            ...(unused ? [unused] : []),
            `output ${pipe('m', tail)}`,
          ];
        });
      });
    }),
  ),
  // Concatenate a tensor with a branch that changes only its last axis.
  inputDims.chain((dims) =>
    chainOf(dims, 1, 2).chain((trunk) => {
      const at = end(dims, trunk);
      // Where a size is unknown, only Dense is sure to keep it (a pooling changes it, unseen).
      const changed = (known(at) ? layer(at) : denseLike('Dense')(at, false)!).filter((p) => p.dims.length === at.length && p.dims.slice(0, -1).every((d, i) => d === at[i]));
      const axis = fc.constantFrom('', '-1', 'axis=-1', `axis=${at.length}`);
      return fc.tuple(chainOf(at, 0, 2, true), changed, axis).chain(([keep, changer, a]) => {
        const joined = [...at.slice(0, -1), at[at.length - 1]! + changer.dims[changer.dims.length - 1]!];
        return chainOf(joined, 0, 2).map((tail) => [
          `input x: ${dimsText(dims)}`,
          `a = ${pipe('x', trunk)}`,
          `b = ${pipe('a', [...keep, changer])}`,
          `output ${pipe(`(a, b) -> Concatenate(${a})`, tail)}`,
        ]);
      });
    }),
  ),
  // Two inputs joined on the first axis after the batch.
  fc.tuple(inputDims, fc.integer({ min: 1, max: 6 })).chain(([dims, other]) => {
    const second = [dims[0] === null ? null : other, ...dims.slice(1)];
    const joined = [dims[0] === null ? null : dims[0]! + other, ...dims.slice(1)];
    return chainOf(joined, 1, 3).map((tail) => [`input p: ${dimsText(dims)}`, `input q: ${dimsText(second)}`, `j = (p, q) -> Concatenate(axis=1)`, `output ${pipe('j', tail)}`]);
  }),
  // Two inputs, two outputs: branches reduced to vectors and merged.
  fc.tuple(inputDims, inputDims, size, fc.constantFrom(...ELEMENTWISE, 'Concatenate')).chain(([p, q, units, merge]) =>
    fc.tuple(vector(p, units), vector(q, units)).map(([a, b]) => [
      `input p: ${dimsText(p)}`,
      `input q: ${dimsText(q)}`,
      `a = ${pipe('p', a)}`,
      `b = ${pipe('q', b)}`,
      `m = (a, b) -> ${merge}()`,
      'output m -> Dense(2, activation=softmax), a',
    ]),
  ),
  // Token ids into an Embedding, then whatever fits the sequence of vectors.
  fc
    .record({
      steps: fc.array(fc.integer({ min: 2, max: 12 }), { minLength: 1, maxLength: 2 }),
      vocabulary: fc.integer({ min: 2, max: 50 }),
      width: size,
      keyword: bool,
      extra: common,
    })
    .chain((r) => {
      const embedding = call('Embedding', [lead('input_dim', r.vocabulary, r.keyword), lead('output_dim', r.width, r.keyword)], r.extra);
      return chainOf([...r.steps, r.width], 0, 4).map((pieces) => [`input tokens: ${dimsText(r.steps)}`, pipe(`tokens -> ${embedding}`, pieces)]);
    }),
];

/** The source of one model; `name=@` becomes a unique name. */
const modelSource: fc.Arbitrary<string> = fc.oneof(...templates).map((body) => {
  let names = 0;
  return `model M {\n${body.map((line) => `  ${line}`).join('\n')}\n}\n`.replace(/name=@/g, () => `name="custom_${++names}"`);
});

// ---------------------------------------------------------------------------

/** The folder that holds package.json, above this file (compiled or not). */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    assert.notEqual(parent, dir, 'package.json not found above the test');
    dir = parent;
  }
  return dir;
}

test(`tfjs agrees with the core on ${RUNS} generated models and covers every catalog layer`, (t) => {
  const seen = new Set<string>();
  let models = 0;
  fc.assert(
    fc.property(modelSource, (source) => {
      for (const type of check(source)) seen.add(type);
      models++;
    }),
    { seed: SEED, numRuns: RUNS, includeErrorInReport: true },
  );
  const missing = LAYERS.map((spec) => spec.name).filter((name) => !seen.has(name));
  assert.deepEqual(missing, [], `no generated model uses ${missing.join(', ')}: extend the generator`);
  assert.ok(models >= 300, `only ${models} models generated`);
  t.diagnostic(`${models} generated models (seed ${SEED}), ${seen.size} layer types`);
});

test('tfjs agrees with the core on the shared examples', () => {
  const folder = path.resolve(repoRoot(), '..', 'shared', 'examples');
  const sources = fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.net'))
    .map((file) => fs.readFileSync(path.join(folder, file), 'utf8'))
    // shape_errors.net is wrong on purpose.
    .filter((source) => !analyze(source).diagnostics.some((d) => d.severity === 'error'));
  assert.ok(sources.length >= 4, `only ${sources.length} error-free examples in ${folder}`);
  for (const source of sources) check(source);
});
