/**
 * The language server over stdio, driven by a real JSON-RPC client: what a
 * user's editor sees, and what happens when it sends garbage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExecuteCommandRequest } from 'vscode-languageserver-protocol/node';
import { LspClient } from './lsp/client';
import { read, sharedExamples } from './support';

const shapeErrors = pathToFileURL(join(sharedExamples, 'shape_errors.net')).href;
const signMnist = pathToFileURL(join(sharedExamples, 'sign_mnist.net')).href;

describe('language server over stdio', () => {
  let client: LspClient;

  before(async () => {
    client = new LspClient();
    const result = await client.initialize();
    assert.equal(result.serverInfo?.name, 'layerwise-language-server');
  });

  after(async () => {
    const code = await client.stop();
    assert.equal(code, 0, `server exit code; stderr: ${client.stderr.join('')}`);
  });

  it('publishes the marked errors of shape_errors.net', async () => {
    const published = client.diagnostics(shapeErrors, 1);
    await client.open(shapeErrors, read(join(sharedExamples, 'shape_errors.net')));
    const { diagnostics } = await published;
    const errors = diagnostics.filter((d) => d.severity === 1);
    assert.deepEqual(errors.map((d) => d.range.start.line + 1), [8, 9, 10, 11, 12]);
    assert.deepEqual(errors.map((d) => d.code), ['shape-mismatch', 'rank-mismatch', 'unknown-activation', 'reshape-size', 'argument-range']);
    assert.deepEqual(errors[2]!.data, { suggestion: 'softmax' });
  });

  it('follows incremental edits: fixing a typo removes its error', async () => {
    const text = read(join(sharedExamples, 'shape_errors.net'));
    const line = text.split('\n').findIndex((l) => l.includes('softmaxx'));
    const character = text.split('\n')[line]!.indexOf('softmaxx') + 'softmax'.length;
    const version = await client.change(shapeErrors, [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' }]);
    const { diagnostics } = await client.diagnostics(shapeErrors, version);
    assert.equal(diagnostics.filter((d) => d.severity === 1).length, 4);
  });

  it('checks a burst of edits once, for the last version', async () => {
    const versions: number[] = [];
    for (let i = 0; i < 5; i++) versions.push(await client.change(shapeErrors, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }]));
    const last = await client.diagnostics(shapeErrors, versions[versions.length - 1]);
    assert.equal(last.version, versions[versions.length - 1]);
  });

  it('answers the summary command with the Keras table', async () => {
    await client.open(signMnist, read(join(sharedExamples, 'sign_mnist.net')));
    const summary = (await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'layerwise.server.summary', arguments: [signMnist, 'SignMNIST'] })) as string;
    assert.match(summary, /Total params: 1,466,136/);
  });

  it('answers requests for unknown documents with an error and stays up', async () => {
    await assert.rejects(
      client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'layerwise.server.summary', arguments: ['file:///nowhere.net'] }),
      /not open/,
    );
    await client.close(signMnist);
    await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'layerwise.server.summary', arguments: [signMnist] }), /not open/);
    assert.ok(client.alive);
  });

  it('survives malformed messages and keeps serving', async () => {
    client.writeRaw('Content-Length: 9\r\n\r\n{not json');
    client.writeRaw('Content-Length: 2\r\n\r\n[]');
    client.writeRaw('Content-Length: 60\r\n\r\n{"jsonrpc":"2.0","id":991,"method":"no/such","params":{}}   ');
    const uri = 'file:///after-garbage.net';
    const published = client.diagnostics(uri, 1);
    await client.open(uri, 'model M {\n  input [4]\n  Dense(0)\n}\n');
    const { diagnostics } = await published;
    assert.deepEqual(diagnostics.map((d) => d.code), ['argument-range']);
    assert.ok(client.alive);
  });

  it('ignores documents of other languages', async () => {
    const uri = 'file:///script.py';
    await client.open(uri, 'print("model M {")', 'python');
    await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'layerwise.server.summary', arguments: [uri] }), /not a \.net document/);
    assert.equal(client.published.has(uri), false);
  });

  it('checks a 5 MB file and binary junk, and keeps serving the others', async () => {
    const big = 'file:///big.net';
    const block = read(join(sharedExamples, 'residual.net')).replace('model Residual', 'model R');
    const copies = Math.ceil((5 * 1024 * 1024) / block.length);
    const bigText = Array.from({ length: copies }, (_, i) => block.replace('model R', `model R${i}`)).join('\n');
    const bigPublished = client.diagnostics(big, 1, 60_000);
    await client.open(big, bigText);
    const bigDiagnostics = (await bigPublished).diagnostics;
    assert.equal(bigDiagnostics.filter((d) => d.severity === 1).length, 0);

    const junk = 'file:///junk.net';
    const bytes = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    const junkPublished = client.diagnostics(junk, 1, 60_000);
    await client.open(junk, bytes);
    const junkDiagnostics = (await junkPublished).diagnostics;
    assert.ok(junkDiagnostics.length > 0 && junkDiagnostics.length <= 1000);

    const small = 'file:///small.net';
    const smallPublished = client.diagnostics(small, 1);
    await client.open(small, 'model S {\n  input [2]\n  Dense(1)\n}\n');
    assert.deepEqual((await smallPublished).diagnostics, []);
  });
});
