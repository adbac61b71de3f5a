/**
 * The model graph: nodes and edges of each model, held against the
 * `Network` the analysis built (shapes and counts formatted as Keras prints
 * them), the model chosen by name or offset, diagnostics placed on the layer
 * that holds them, and a long chain walked without recursion.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, formatShape } from '../../core';
import { getModelGraph } from '../../core/features/graph';
import { netFiles, projectExamples, read, sharedExamples } from '../support';
import { existsSync } from 'node:fs';

const edgesOf = (text: string, model?: string): string[] => {
  const graph = getModelGraph(analyze(text), { model })!;
  const names = new Map(graph.nodes.map((node) => [node.id, node.name]));
  return graph.edges.map((edge) => `${names.get(edge.from)} -> ${names.get(edge.to)} ${edge.shape ?? '?'}`);
};

describe('model graph', () => {
  it('draws residual.net: both inputs, the branch and the merges, with shapes and counts', () => {
    const graph = getModelGraph(analyze(read(join(projectExamples, 'residual.net'))))!;
    assert.equal(graph.model, 'Residual');
    assert.deepEqual(
      graph.nodes.map((node) => [node.name, node.type, node.outputShape, node.params?.total]),
      [
        ['features', 'Input', '(None, 64)', 0],
        ['extra', 'Input', '(None, 8)', 0],
        ['dense', 'Dense', '(None, 128)', 8320],
        ['dense_1', 'Dense', '(None, 128)', 16512],
        ['dropout', 'Dropout', '(None, 128)', 0],
        ['add', 'Add', '(None, 128)', 0],
        ['concatenate', 'Concatenate', '(None, 136)', 0],
        ['dense_2', 'Dense', '(None, 18)', 2466],
      ],
    );
    assert.deepEqual(edgesOf(read(join(projectExamples, 'residual.net'))), [
      'features -> dense (None, 64)',
      'dense -> dense_1 (None, 128)',
      'dense_1 -> dropout (None, 128)',
      'dense -> add (None, 128)',
      'dropout -> add (None, 128)',
      'add -> concatenate (None, 128)',
      'extra -> concatenate (None, 8)',
      'concatenate -> dense_2 (None, 136)',
    ]);
    assert.deepEqual(graph.params, { total: 27298, trainable: 27298, nonTrainable: 0 });
    assert.deepEqual(graph.nodes.filter((node) => node.output).map((node) => node.name), ['dense_2']);
    assert.ok(graph.nodes.every((node) => node.connected && node.problems.length === 0));
  });

  it('holds every example model to its network: one node per layer, one edge per inbound tensor', () => {
    const files = [...netFiles(projectExamples), ...(existsSync(sharedExamples) ? netFiles(sharedExamples) : [])];
    for (const file of files) {
      const analysis = analyze(read(file));
      for (const { network } of analysis.models) {
        const graph = getModelGraph(analysis, { model: network.name })!;
        const connected = network.order.map((index) => network.layers[index]!);
        assert.deepEqual(
          graph.nodes.filter((node) => node.connected).map((node) => [node.name, node.outputShape, node.params?.total]),
          connected.map((layer) => [layer.name, layer.outputShape && formatShape(layer.outputShape), layer.params && layer.params.trainable + layer.params.nonTrainable]),
          `${file} ${network.name}`,
        );
        const inbound = connected.reduce((sum, layer) => sum + layer.inbound.length, 0);
        const ids = new Set(graph.nodes.filter((node) => node.connected).map((node) => node.id));
        assert.equal(graph.edges.filter((edge) => ids.has(edge.to)).length, inbound, `${file} ${network.name}: edges`);
        assert.ok(graph.edges.every((edge) => graph.nodes.some((node) => node.id === edge.from) && graph.nodes.some((node) => node.id === edge.to)));
        for (const node of graph.nodes) assert.ok(node.range.pos >= node.statement.pos && node.range.end <= node.statement.end, `${node.name} inside its statement`);
      }
    }
  });

  it('chooses the model by name, by the offset inside it, or keeps the fallback outside every model', () => {
    const text = 'model A {\n  input [4]\n  Dense(2)\n}\n\n# between\n\nmodel B {\n  input [3]\n  Dense(1)\n}\n';
    const analysis = analyze(text);
    assert.equal(getModelGraph(analysis)?.model, 'A');
    assert.equal(getModelGraph(analysis, { model: 'B' })?.model, 'B');
    assert.equal(getModelGraph(analysis, { model: 'C' }), undefined);
    assert.equal(getModelGraph(analysis, { offset: text.indexOf('Dense(1)') })?.model, 'B');
    assert.equal(getModelGraph(analysis, { offset: text.indexOf('between'), fallback: 'B' })?.model, 'B');
    assert.equal(getModelGraph(analysis, { offset: text.indexOf('between') })?.model, 'A');
    assert.deepEqual(getModelGraph(analysis)?.models, ['A', 'B']);
    assert.equal(getModelGraph(analyze('# nothing\n')), undefined);
  });

  it('puts each error on the layer that holds it; unconnected layers are nodes too', () => {
    const text = read(join(projectExamples, 'errors', 'mistakes.net'));
    const graph = getModelGraph(analyze(text))!;
    const node = (name: string) => graph.nodes.find((candidate) => candidate.name === name)!;
    // e = a -> Dense(10, activation=softmaxx): on the path to the output.
    assert.deepEqual(node('dense_2').problems.map((problem) => problem.code), ['unknown-activation']);
    assert.equal(node('dense_2').connected, true);
    assert.ok(node('add').problems.some((problem) => problem.code === 'shape-mismatch' && problem.severity === 'error'));
    assert.equal(node('add').outputShape, undefined);
    assert.equal(node('add').connected, false);
    assert.ok(node('conv2d').problems.some((problem) => problem.code === 'rank-mismatch'));
    assert.ok(node('flatten').problems.some((problem) => problem.code === 'rank-mismatch'));
    // The connected layers come first, in build order.
    assert.deepEqual(graph.nodes.filter((n) => n.connected).map((n) => n.name), ['x', 'dense', 'dense_2', 'dense_5']);
    assert.ok(graph.nodes.slice(0, 4).every((n) => n.connected));
  });

  it('keeps a diagnostic outside every layer on the graph, and an unknown layer as a node with its error', () => {
    const graph = getModelGraph(analyze('model M {\n  input x: [4]\n  x -> Dnese(3) -> Dense(2)\n}\n'))!;
    const unknown = graph.nodes.find((node) => node.type === 'Dnese')!;
    assert.deepEqual(unknown.problems.map((problem) => problem.code), ['unknown-layer']);
    assert.equal(unknown.outputShape, undefined);
    assert.deepEqual(edgesOf('model M {\n  input x: [4]\n  x -> Dnese(3) -> Dense(2)\n}\n'), ['x -> dnese (None, 4)', 'dnese -> dense ?']);
    const empty = getModelGraph(analyze('model E {\n  Dense(2)\n}\n'))!;
    assert.ok(empty.problems.some((problem) => problem.code === 'missing-input'));
  });

  it('walks a chain of 5,000 layers without recursion', () => {
    const text = `model Long {\n  input [8]\n${'  Dense(8)\n'.repeat(5000)}}\n`;
    const graph = getModelGraph(analyze(text))!;
    assert.equal(graph.nodes.length, 5001);
    assert.equal(graph.edges.length, 5000);
  });
});
