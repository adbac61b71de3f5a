/**
 * The language server over stdio, driven by a real JSON-RPC client: what a
 * user's editor sees, and what happens when it sends garbage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeLensRequest, DidChangeTextDocumentNotification, ErrorCodes, ExecuteCommandRequest, HoverRequest, ResponseError, type CodeLens, type ServerCapabilities } from 'vscode-languageserver-protocol/node';
import { DIAGNOSTICS } from '../core';
import { SERVER_SUMMARY_COMMAND, SHOW_GRAPH_COMMAND, SHOW_SUMMARY_COMMAND, TRAIN_COMMAND } from '../protocol/commands';
import { formatBytes, MAX_DOCUMENT_BYTES } from '../server/bounds';
import { LspClient } from './lsp/client';
import { read, repoRoot, sharedExamples } from './support';

const shapeErrors = pathToFileURL(join(sharedExamples, 'shape_errors.net')).href;
const signMnist = pathToFileURL(join(sharedExamples, 'sign_mnist.net')).href;

describe('language server over stdio', () => {
  let client: LspClient;
  let capabilities: ServerCapabilities;

  before(async () => {
    client = new LspClient();
    const result = await client.initialize();
    assert.equal(result.serverInfo?.name, 'layerwise-language-server');
    capabilities = result.capabilities;
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

  it('names the protocol\'s commands: its own to execute, and the editor\'s in its lenses, with their arguments', async () => {
    assert.deepEqual(capabilities.executeCommandProvider?.commands, [SERVER_SUMMARY_COMMAND]);
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: signMnist } })) as CodeLens[];
    assert.deepEqual(
      lenses.map((lens) => [lens.range.start.line, lens.command?.command, lens.command?.arguments]),
      [
        [3, SHOW_SUMMARY_COMMAND, ['SignMNIST']],
        [3, SHOW_GRAPH_COMMAND, ['SignMNIST']],
        [12, TRAIN_COMMAND, [0, ['SignMNIST']]],
      ],
    );
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

  it('checks a file just under the size bound and binary junk, and keeps serving the others', async () => {
    const big = 'file:///big.net';
    const block = read(join(sharedExamples, 'residual.net')).replace('model Residual', 'model R');
    const copies = Math.floor(MAX_DOCUMENT_BYTES / (block.length + 10));
    const bigText = Array.from({ length: copies }, (_, i) => block.replace('model R', `model R${i}`)).join('\n');
    assert.ok(Buffer.byteLength(bigText) <= MAX_DOCUMENT_BYTES && Buffer.byteLength(bigText) > MAX_DOCUMENT_BYTES * 0.9);
    const bigPublished = client.diagnostics(big, 1, 60_000);
    await client.open(big, bigText);
    const bigDiagnostics = (await bigPublished).diagnostics;
    assert.deepEqual(bigDiagnostics.filter((d) => d.severity === 1), []);

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
    await Promise.all([big, junk, small].map((uri) => client.close(uri)));
  });

  it('leaves a document over the size bound unchecked: one diagnostic at its start, and empty answers', async () => {
    const uri = 'file:///huge.net';
    const model = 'model M {\n  input [4]\n  Dense(0)\n}\n';
    const filler = `# ${'x'.repeat(78)}\n`;
    const hugeText = model + filler.repeat(Math.ceil((8 * MAX_DOCUMENT_BYTES) / filler.length));
    const published = client.diagnostics(uri, 1, 60_000);
    await client.open(uri, hugeText);
    const { diagnostics } = await published;
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.range]),
      [['document-too-large', 1, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }]],
    );
    assert.match(String(diagnostics[0]!.message), new RegExp(`8(\\.0)? MiB, more than the ${formatBytes(MAX_DOCUMENT_BYTES)}`));
    assert.ok(DIAGNOSTICS['document-too-large'].description.includes(`size bound, ${formatBytes(MAX_DOCUMENT_BYTES)}`), 'the reference names the bound');

    const textDocument = { uri };
    const position = { line: 2, character: 4 };
    const request = (method: string, params: object) => client.connection.sendRequest(method, { textDocument, ...params });
    assert.equal(await request('textDocument/hover', { position }), null);
    assert.deepEqual(await request('textDocument/completion', { position }), { isIncomplete: false, items: [] });
    assert.equal(await request('textDocument/signatureHelp', { position }), null);
    assert.equal(await request('textDocument/definition', { position }), null);
    assert.deepEqual(await request('textDocument/references', { position, context: { includeDeclaration: true } }), []);
    assert.deepEqual(await request('textDocument/documentHighlight', { position }), []);
    assert.equal(await request('textDocument/prepareRename', { position }), null);
    assert.deepEqual(await request('textDocument/documentSymbol', {}), []);
    assert.deepEqual(await request('textDocument/foldingRange', {}), []);
    assert.deepEqual(await request('textDocument/semanticTokens/full', {}), { data: [] });
    assert.deepEqual(await request('textDocument/formatting', { options: { tabSize: 2, insertSpaces: true } }), []);
    assert.deepEqual(await request('textDocument/codeAction', { range: { start: position, end: position }, context: { diagnostics } }), []);
    assert.deepEqual(await request('textDocument/codeLens', {}), []);
    assert.deepEqual(await request('textDocument/inlayHint', { range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } } }), []);

    // Edits keep it unchecked; cutting it below the bound checks it again.
    const edited = await client.change(uri, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '# more\n' }]);
    assert.deepEqual((await client.diagnostics(uri, edited, 60_000)).diagnostics.map((d) => d.code), ['document-too-large']);
    const cut = await client.change(uri, [{ text: model }]);
    assert.deepEqual((await client.diagnostics(uri, cut, 60_000)).diagnostics.map((d) => d.code), ['argument-range']);
    await client.close(uri);
  });

  it('ignores a change whose version does not rise, as LSP says versions only rise', async () => {
    const uri = 'file:///versions.net';
    const text = (name: string) => `model ${name} {\n  input [2]\n  Dense(1)\n}\n`;
    const change = (version: number, name: string) =>
      client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text: text(name) }] });
    await client.open(uri, text('One'));
    await change(3, 'Three');
    await change(2, 'Two');
    await change(3, 'AgainThree');
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string }[];
    assert.deepEqual(symbols.map((symbol) => symbol.name), ['Three']);
    // An incremental change with the next version still applies.
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 4 },
      contentChanges: [{ range: { start: { line: 0, character: 6 }, end: { line: 0, character: 11 } }, text: 'Four' }],
    });
    const after = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string }[];
    assert.deepEqual(after.map((symbol) => symbol.name), ['Four']);
    await client.close(uri);
  });
});

describe('requests before initialize', () => {
  it('are refused with ServerNotInitialized (−32002); notifications are dropped; then the server serves', async (t) => {
    const client = new LspClient();
    t.after(() => void (client.alive && client.process.kill('SIGKILL')));
    const uri = 'file:///early.net';
    const refusal = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } }).then(
      () => assert.fail('a request before initialize was answered'),
      (error: unknown) => error,
    );
    assert.ok(refusal instanceof ResponseError);
    assert.equal(refusal.code, ErrorCodes.ServerNotInitialized);
    await client.open(uri, 'model M {\n  input [2]\n  Dense(1)\n}\n');
    await client.initialize();
    await assert.rejects(client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }), /not open/);
    await client.open(uri, 'model M {\n  input [2]\n  Dense(1)\n}\n');
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string }[];
    assert.deepEqual(symbols.map((symbol) => symbol.name), ['M']);
    assert.equal(await client.stop(), 0);
  });
});

describe('layerwise lsp --stdio', () => {
  it('serves the same server from the command line', async () => {
    const client = new LspClient(['lsp', '--stdio'], join(repoRoot, 'dist', 'cli.js'));
    const { capabilities } = await client.initialize();
    assert.ok(capabilities.hoverProvider);
    const uri = 'file:///cli/m.net';
    const published = client.diagnostics(uri, 1);
    await client.open(uri, 'model M {\n  input [2]\n  Dense(1, activation=sigmoidd)\n}\n');
    assert.deepEqual((await published).diagnostics.map((d) => d.code), ['unknown-activation']);
    assert.equal(await client.stop(), 0);
  });
});

describe('editor features over stdio', () => {
  let client: LspClient;
  const uri = 'file:///features/residual.net';
  const text = read(join(sharedExamples, 'residual.net'));
  const lines = text.split('\n');
  const position = (needle: string, delta = 0) => {
    const line = lines.findIndex((l) => l.includes(needle));
    return { line, character: lines[line]!.indexOf(needle) + delta };
  };
  const textDocument = { uri };

  before(async () => {
    client = new LspClient();
    const { capabilities } = await client.initialize();
    for (const provider of ['hoverProvider', 'completionProvider', 'signatureHelpProvider', 'definitionProvider', 'referencesProvider', 'documentHighlightProvider', 'renameProvider', 'documentSymbolProvider', 'workspaceSymbolProvider', 'foldingRangeProvider', 'semanticTokensProvider', 'documentFormattingProvider', 'codeActionProvider', 'codeLensProvider', 'inlayHintProvider'] as const) {
      assert.ok(capabilities[provider], provider);
    }
    const published = client.diagnostics(uri, 1);
    await client.open(uri, text);
    await published;
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  const request = <R>(method: string, params: object): Promise<R> => client.connection.sendRequest(method, params) as Promise<R>;

  it('hover gives the formula, and a position past the end is answered', async () => {
    const hover = await request<{ contents: { value: string } }>('textDocument/hover', { textDocument, position: position('Dense(128', 1) });
    assert.match(hover.contents.value, /64 × 128 \+ 128 = 8,320/);
    assert.equal(await request('textDocument/hover', { textDocument, position: { line: 9999, character: 9999 } }), null);
  });

  it('completion, signature help and inlay hints', async () => {
    const completion = await request<{ items: { label: string }[] }>('textDocument/completion', { textDocument, position: position('Dense(18', 0) });
    assert.ok(completion.items.some((item) => item.label === 'Dense'));
    const help = await request<{ signatures: { label: string }[]; activeParameter: number }>('textDocument/signatureHelp', { textDocument, position: position('Dense(18, ', 'Dense(18, '.length) });
    assert.match(help.signatures[0]!.label, /^Dense\(units/);
    assert.equal(help.activeParameter, 1);
    const hints = await request<{ label: string }[]>('textDocument/inlayHint', { textDocument, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } });
    assert.ok(hints.some((hint) => hint.label.includes('(None, 136)')));
  });

  it('definition, references, highlights and rename of a tensor', async () => {
    const use = position('(a, b)', 1);
    const definition = await request<{ range: { start: { line: number } } }>('textDocument/definition', { textDocument, position: use });
    assert.equal(definition.range.start.line, position('a    =').line);
    const references = await request<unknown[]>('textDocument/references', { textDocument, position: use, context: { includeDeclaration: true } });
    assert.equal(references.length, 3);
    const highlights = await request<{ kind: number }[]>('textDocument/documentHighlight', { textDocument, position: use });
    assert.equal(highlights.length, 3);
    const rename = await request<{ changes: Record<string, unknown[]> }>('textDocument/rename', { textDocument, position: use, newName: 'hidden' });
    assert.equal(rename.changes[uri]!.length, 3);
    await assert.rejects(request('textDocument/rename', { textDocument, position: use, newName: 'model' }), /keyword|reserved/i);
  });

  it('symbols, folding, semantic tokens, formatting, code lenses and code actions', async () => {
    const symbols = await request<{ name: string; children: unknown[] }[]>('textDocument/documentSymbol', { textDocument });
    assert.equal(symbols[0]!.name, 'Residual');
    const workspace = await request<{ name: string }[]>('workspace/symbol', { query: 'skip' });
    assert.ok(workspace.some((symbol) => symbol.name === 'skip'));
    const folding = await request<unknown[]>('textDocument/foldingRange', { textDocument });
    assert.ok(folding.length >= 1);
    const tokens = await request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument });
    assert.ok(tokens.data.length > 0 && tokens.data.length % 5 === 0);
    const edits = await request<unknown[]>('textDocument/formatting', { textDocument, options: { tabSize: 2, insertSpaces: true } });
    assert.ok(Array.isArray(edits));
    const lenses = await request<{ command: { title: string } }[]>('textDocument/codeLens', { textDocument });
    assert.match(lenses[0]!.command.title, /27,298 params/);

    const typo = 'file:///features/typo.net';
    const published = client.diagnostics(typo, 1);
    await client.open(typo, 'model T {\n  input [4]\n  Dense(2, activation=softmaxx)\n}\n');
    const { diagnostics } = await published;
    const actions = await request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri: typo },
      range: diagnostics[0]!.range,
      context: { diagnostics },
    });
    assert.equal(actions[0]!.title, "Change to 'softmax'");
    assert.equal(actions[0]!.edit.changes[typo]![0]!.newText, 'softmax');
  });
});
