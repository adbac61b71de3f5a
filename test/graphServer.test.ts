/**
 * The model graph request over stdio, from a real JSON-RPC client to the
 * bundled server: on every example, each model's nodes and edges against
 * what `layerwise check --json` (the command line) prints for its layers;
 * the model at a position; error nodes; the graph following an edit; and a
 * bad request answered with an error while the server stays up.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { MODEL_GRAPH_REQUEST, type ModelGraphParams } from '../protocol/editor';
import type { ModelGraphResult } from '../protocol/graph';
import { LspClient } from './lsp/client';
import { byName, checkedLayers, checkJson, exampleFiles } from './graphSupport';
import { projectExamples, read } from './support';

describe('model graph request', () => {
  let client: LspClient;
  const graph = (params: ModelGraphParams) => client.connection.sendRequest<ModelGraphResult | null>(MODEL_GRAPH_REQUEST, params);

  before(async () => {
    client = new LspClient();
    await client.initialize();
  });

  after(async () => {
    assert.equal(await client.stop(), 0, client.stderr.join(''));
  });

  it('answers every example\'s models with the layers, shapes and params of check --json', async () => {
    for (const file of exampleFiles()) {
      const uri = pathToFileURL(file).href;
      await client.open(uri, read(file));
      const checked = checkJson(file);
      for (const model of checked.models) {
        const answer = (await graph({ uri, model: model.name }))!;
        assert.equal(answer.model, model.name);
        // The model's range is its declaration: from `model` on its line to the closing brace, every layer inside it.
        const lines = read(file).split('\n');
        assert.match(lines[answer.range.start.line]!.slice(answer.range.start.character), new RegExp(`^model ${model.name}\\b`));
        assert.equal(lines[answer.range.end.line]![answer.range.end.character - 1], '}');
        for (const node of answer.nodes) assert.ok(node.range.start.line >= answer.range.start.line && node.range.end.line <= answer.range.end.line, `${file} ${node.name}`);
        const connected = answer.nodes.filter((node) => node.connected);
        assert.deepEqual(
          connected.map((node) => [node.name, node.type, node.outputShape, node.params?.total, node.range.start.line + 1]).sort(byName),
          checkedLayers(model),
          `${file} ${model.name}`,
        );
        assert.equal(connected.length, model.layers.length);
        const ids = new Set(answer.nodes.map((node) => node.id));
        assert.ok(answer.edges.every((edge) => ids.has(edge.from) && ids.has(edge.to)), `${file}: every edge joins two nodes`);
        // Each connected layer's incoming tensors carry the shapes of the layers they come from.
        const shapeOf = new Map(answer.nodes.map((node) => [node.id, node.outputShape]));
        for (const edge of answer.edges) assert.equal(edge.shape, shapeOf.get(edge.from));
        if (model.params) assert.deepEqual(answer.params, model.params);
      }
      await client.close(uri);
    }
  });

  it('draws the errors of mistakes.net on their layers, at check --json\'s lines', async () => {
    const file = join(projectExamples, 'errors', 'mistakes.net');
    const uri = pathToFileURL(file).href;
    await client.open(uri, read(file));
    const answer = (await graph({ uri }))!;
    const checked = checkJson(file);
    const errorLines = new Set(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line));
    const errorNodes = answer.nodes.filter((node) => node.problems.some((problem) => problem.severity === 'error'));
    assert.ok(errorNodes.length >= 7, `error nodes: ${errorNodes.map((node) => node.name).join(', ')}`);
    for (const node of errorNodes) assert.ok(errorLines.has(node.range.start.line + 1), `${node.name} at line ${node.range.start.line + 1}`);
    assert.deepEqual(answer.nodes.find((node) => node.name === 'add')?.problems.filter((p) => p.severity === 'error').map((p) => p.code), ['shape-mismatch']);
    await client.close(uri);
  });

  it('answers the model around a position, keeps the fallback outside, and follows an edit', async () => {
    const uri = 'file:///graph/two.net';
    const text = 'model A {\n  input [4]\n  Dense(2)\n}\n\nmodel B {\n  input [3]\n  Dense(1)\n}\n';
    await client.open(uri, text);
    assert.equal((await graph({ uri, position: { line: 7, character: 4 } }))?.model, 'B');
    assert.equal((await graph({ uri, position: { line: 4, character: 0 }, fallback: 'B' }))?.model, 'B');
    assert.equal((await graph({ uri }))?.model, 'A');
    assert.deepEqual((await graph({ uri }))?.models, ['A', 'B']);
    assert.equal(await graph({ uri, model: 'C' }), null);
    const version = await client.change(uri, [{ range: { start: { line: 2, character: 2 }, end: { line: 2, character: 10 } }, text: 'Dense(5)\n  Dense(7)' }]);
    await client.diagnostics(uri, version);
    const edited = (await graph({ uri, model: 'A' }))!;
    assert.deepEqual(edited.nodes.map((node) => node.outputShape), ['(None, 4)', '(None, 5)', '(None, 7)']);
    assert.deepEqual(edited.nodes.map((node) => node.range.start.line), [1, 2, 3]);
    await client.close(uri);
  });

  it('answers a document that is not open with an error, and stays up', async () => {
    await assert.rejects(graph({ uri: 'file:///nowhere.net' }), /not open/);
    await assert.rejects(client.connection.sendRequest(MODEL_GRAPH_REQUEST, { uri: 'file:///graph/x.net', position: 'top' }));
    assert.ok(client.alive);
  });
});
