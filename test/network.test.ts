/**
 * The `Network` is plain data: it survives JSON unchanged, the trainer and
 * the Keras export build the same model from a copy read back from JSON as
 * from the analysis itself, and it carries the order to build in, each layer
 * after its sources, though a name may be used above its definition.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze, buildOrder, type Network } from '../core';
import { exportKeras } from '../cli/exportKeras';
import { buildModel } from '../trainer/buildModel';
import { allNetTexts, netFiles, projectExamples, read, sharedExamples } from './support';

function roundTrip(network: Network): Network {
  return JSON.parse(JSON.stringify(network)) as Network;
}

/** Every value reachable from `value` is JSON's: no class instances, sets, maps, functions, or numbers JSON cannot write. */
function assertPlain(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${path} is ${value}`);
    return;
  }
  assert.equal(typeof value, 'object', `${path} is a ${typeof value}`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlain(item, `${path}[${i}]`));
    return;
  }
  assert.equal(Object.getPrototypeOf(value), Object.prototype, `${path} is a ${(value as object).constructor?.name}`);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== undefined) assertPlain(item, `${path}.${key}`);
  }
}

function errorFree(text: string): boolean {
  return analyze(text).diagnostics.every((diagnostic) => diagnostic.severity !== 'error');
}

const exampleTexts = [...netFiles(sharedExamples), ...netFiles(projectExamples)].map(read).filter(errorFree);

describe('the Network as data', () => {
  test('every network of every example, fixture and error file is plain data that JSON gives back equal', () => {
    let networks = 0;
    for (const text of allNetTexts()) {
      for (const { network } of analyze(text).models) {
        assertPlain(network, network.name);
        assert.deepEqual(roundTrip(network), network);
        networks++;
      }
    }
    assert.ok(networks > 20, `only ${networks} networks`);
  });

  test('the Keras export of a network read back from JSON is the same script', () => {
    for (const text of exampleTexts) {
      const analysis = analyze(text);
      for (const { network } of analysis.models) {
        const block = analysis.trainBlocks.find((candidate) => candidate.models.includes(network));
        assert.equal(exportKeras(roundTrip(network), block, 'example.net'), exportKeras(network, block, 'example.net'), network.name);
      }
    }
  });

  test('the trainer builds the same tfjs model from a network read back from JSON', () => {
    for (const text of exampleTexts) {
      for (const { network } of analyze(text).models) {
        const original = buildModel(network);
        const copy = buildModel(roundTrip(network));
        try {
          const describe = (model: tf.LayersModel) => model.layers.map((layer) => [layer.getClassName(), layer.name, layer.countParams(), JSON.stringify(layer.outputShape)]);
          assert.deepEqual(describe(copy), describe(original), network.name);
        } finally {
          original.dispose();
          copy.dispose();
        }
      }
    }
  });
});

describe('build order', () => {
  const text = [
    'model Later {',
    '  input x: [4]',
    '  input unused: [2]',
    '  output (h, g) -> Concatenate() -> Dense(3)',
    '  g = h -> Dense(5)',
    '  h = x -> Dense(8, activation=relu)',
    '  x -> Dense(7)',
    '}',
  ].join('\n');
  const network = analyze(text).models[0]!.network;

  test('puts each layer after the layers it takes its inputs from, though they are defined below it', () => {
    const order = buildOrder(network);
    const position = new Map(order.map((layer, i) => [layer.name, i]));
    for (const layer of order) {
      for (const source of layer.inbound) assert.ok(position.get(source)! < position.get(layer.name)!, `${source} before ${layer.name}`);
    }
    assert.deepEqual(
      order.map((layer) => layer.name),
      ['x', 'dense_2', 'dense_1', 'concatenate', 'dense'],
    );
  });

  test('holds exactly the connected layers and inputs, and indexes the source-ordered layers', () => {
    assert.deepEqual(
      network.layers.map((layer) => layer.name),
      ['x', 'unused', 'concatenate', 'dense', 'dense_1', 'dense_2', 'dense_3'],
    );
    assert.deepEqual([...network.order].sort((a, b) => a - b), network.layers.flatMap((layer, i) => (layer.connected ? [i] : [])));
  });

  test('is the order the tfjs model is built in, for a model written bottom-up', () => {
    const model = buildModel(network);
    try {
      assert.deepEqual(model.outputs[0]!.shape, [null, 3]);
      assert.equal(model.countParams(), network.params!.total);
    } finally {
      model.dispose();
    }
  });
});
