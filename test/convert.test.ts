/**
 * The one place that knows LSP: the core's offset ranges and plain kinds
 * turned into LSP's encoding, lines, shapes and numbers, checked by hand on
 * small inputs, as a round trip on every example, and against what the
 * server sends over stdio.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import {
  analyze,
  formatDocument,
  getCodeActions,
  getCodeLenses,
  getCompletions,
  getDefinition,
  getDocumentHighlights,
  getDocumentSymbols,
  getFoldingRanges,
  getHover,
  getInlayHints,
  getReferences,
  getRenameEdits,
  getSemanticTokens,
  getSignatureHelp,
  getWorkspaceSymbols,
  prepareRename,
  type Analysis,
  type Fold,
  type SemanticToken,
} from '../core';
import {
  CODE_ACTION_KINDS,
  SEMANTIC_TOKENS_LEGEND,
  toCodeAction,
  toDocumentHighlight,
  toFoldingRanges,
  toInlayHint,
  toSemanticTokens,
  toSignatureHelp,
} from '../server/convert';
import { atCursor } from './features/cursor';
import { FOLDS_TEXT } from './features/foldsText';
import { LspClient } from './lsp/client';
import { allNetTexts } from './support';

/** The offset of `needle` in `text`, after `from`. */
function offsetOf(text: string, needle: string, from = 0): number {
  const offset = text.indexOf(needle, from);
  assert.ok(offset >= 0, needle);
  return offset;
}

/** LSP's relative encoding read back into ranges and legend names, the way a client reads it. */
function decode(analysis: Analysis, data: number[]): { pos: number; end: number; type: string; modifiers: string[] }[] {
  assert.equal(data.length % 5, 0);
  const tokens = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    const [deltaLine, deltaStart, length, type, bits] = data.slice(i, i + 5) as [number, number, number, number, number];
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaStart : deltaStart;
    const pos = analysis.lines.offsetAt({ line, character });
    const modifiers = SEMANTIC_TOKENS_LEGEND.tokenModifiers.filter((_, bit) => bits & (1 << bit));
    tokens.push({ pos, end: pos + length, type: SEMANTIC_TOKENS_LEGEND.tokenTypes[type]!, modifiers });
  }
  return tokens;
}

describe('semantic tokens to LSP', () => {
  it('keeps the legend the server has always announced, in LSP\'s standard names', () => {
    assert.deepEqual(SEMANTIC_TOKENS_LEGEND, {
      tokenTypes: ['class', 'variable', 'parameter', 'enumMember', 'type', 'property', 'function', 'keyword', 'number', 'string', 'comment', 'operator'],
      tokenModifiers: ['declaration', 'readonly', 'defaultLibrary'],
    });
    const standardTypes: string[] = Object.values(SemanticTokenTypes);
    const standardModifiers: string[] = Object.values(SemanticTokenModifiers);
    for (const type of SEMANTIC_TOKENS_LEGEND.tokenTypes) assert.ok(standardTypes.includes(type), type);
    for (const modifier of SEMANTIC_TOKENS_LEGEND.tokenModifiers) assert.ok(standardModifiers.includes(modifier), modifier);
  });

  it('encodes tokens on several lines relative to the one before: line delta, start delta, length, type, modifier bits', () => {
    const text = 'model M {\n  input x: [4]\n\n  x -> csv("😀") -> Dense(2)\n}';
    const analysis = analyze(text);
    const token = (needle: string, kind: SemanticToken['kind'], modifiers: SemanticToken['modifiers'] = [], from = 0): SemanticToken => {
      const pos = offsetOf(text, needle, from);
      return { range: { pos, end: pos + needle.length }, kind, modifiers };
    };
    const line3 = offsetOf(text, '  x ->');
    const tokens = [
      token('model', 'keyword'),
      token('M', 'model', ['declaration']),
      token('input', 'keyword'),
      token('x', 'tensor', ['declaration', 'input'], offsetOf(text, 'input')),
      token('x', 'tensor', ['input'], line3),
      token('"😀"', 'string'),
      token('Dense', 'layer', ['builtin']),
    ];
    assert.deepEqual(toSemanticTokens(analysis, tokens), [
      [0, 0, 5, 7, 0], // model: keyword
      [0, 6, 1, 4, 0b001], // M, 6 columns on: type+declaration
      [1, 2, 5, 7, 0], // input, next line, from the line's start
      [0, 6, 1, 1, 0b011], // x: variable+declaration+readonly
      [2, 2, 1, 1, 0b010], // x, past an empty line: variable+readonly
      [0, 9, 4, 9, 0], // "😀": a string, four UTF-16 code units long
      [0, 9, 5, 0, 0b100], // Dense, nine UTF-16 columns past the string's start: class+defaultLibrary
    ].flat());
  });

  it('gives nothing for no tokens', () => {
    assert.deepEqual(toSemanticTokens(analyze(''), []), []);
  });

  it('reads back, as a client reads it, to the core\'s tokens for every example', () => {
    const types = new Map<SemanticToken['kind'], string>();
    for (const text of allNetTexts()) {
      const analysis = analyze(text);
      const tokens = getSemanticTokens(analysis);
      const decoded = decode(analysis, toSemanticTokens(analysis, tokens));
      assert.equal(decoded.length, tokens.length);
      decoded.forEach((got, i) => {
        const want = tokens[i]!;
        assert.deepEqual([got.pos, got.end], [want.range.pos, want.range.end]);
        // One kind is one type, always.
        assert.equal(types.get(want.kind) ?? got.type, got.type, want.kind);
        types.set(want.kind, got.type);
        assert.equal(got.modifiers.length, want.modifiers.length);
      });
    }
    assert.equal(new Set(types.values()).size, types.size, 'two kinds share a token type');
  });
});

describe('folds to lines', () => {
  const lines = (text: string) => {
    const analysis = analyze(text);
    return toFoldingRanges(analysis, getFoldingRanges(analysis));
  };

  it('folds comments, bodies, a pipeline and a multi-line callbacks list', () => {
    const text = FOLDS_TEXT;
    assert.deepEqual(lines(text), [
      { startLine: 0, endLine: 1, kind: 'comment' },
      { startLine: 3, endLine: 8 },
      { startLine: 5, endLine: 8 },
      { startLine: 11, endLine: 18 },
      { startLine: 14, endLine: 16 },
    ]);
  });

  it('folds calls that span lines to the closing line when code precedes the closer; one fold per start line, the largest', () => {
    const text = 'model M {\n  input x: [4]\n  x -> Dense(\n    8,\n    activation=relu)\n}\n# region Training\ntrain M {\n  epochs = 1 }\n# endregion\n';
    assert.deepEqual(lines(text), [
      { startLine: 0, endLine: 4 },
      { startLine: 2, endLine: 4 },
      { startLine: 6, endLine: 9, kind: 'region' },
      { startLine: 7, endLine: 8 },
    ]);
  });

  it('leaves a closer that starts its line visible, and drops a fold left with nothing to hide', () => {
    const text = 'a = [\n  1]\nb = (\n  2\n  )\nc = {\n}\n';
    const analysis = analyze(text);
    const fold = (open: string, close: string, kind: Fold['kind']): Fold => ({ range: { pos: offsetOf(text, open), end: offsetOf(text, close) + 1 }, kind });
    assert.deepEqual(
      toFoldingRanges(analysis, [fold('a', ']', 'brackets'), fold('b', ')', 'brackets'), fold('c', '}', 'body')]),
      [
        { startLine: 0, endLine: 1 },
        { startLine: 2, endLine: 3 },
      ],
    );
    // The same ranges as a pipeline or a comment run end on their last line.
    assert.deepEqual(
      toFoldingRanges(analysis, [fold('b', ')', 'pipeline'), fold('c', '}', 'comment')]),
      [
        { startLine: 2, endLine: 4 },
        { startLine: 5, endLine: 6, kind: 'comment' },
      ],
    );
  });
});

describe('signature help to LSP', () => {
  it('is one signature whose parameter labels are spans of its label', () => {
    const { analysis, offset } = atCursor('model M {\n  input x: [4]\n  x -> Dense(8, |\n}\n');
    const help = toSignatureHelp(getSignatureHelp(analysis, offset)!);
    assert.equal(help.signatures.length, 1);
    assert.equal(help.activeSignature, 0);
    const signature = help.signatures[0]!;
    const active = signature.parameters![help.activeParameter!]!;
    assert.equal(signature.label.slice(...(active.label as [number, number])), 'activation=linear');
  });

  it('marks no parameter with an index past the last, as LSP has it', () => {
    const { analysis, offset } = atCursor('model M {\n  input x: [4]\n  x -> Dense(8, activation=relu, |\n}\n');
    const core = getSignatureHelp(analysis, offset)!;
    assert.equal(core.activeParameter, undefined);
    assert.equal(toSignatureHelp(core).activeParameter, core.parameters.length);
  });
});

describe('kinds to LSP numbers', () => {
  it('maps highlights, inlay hints and code actions to the spec\'s values', () => {
    const analysis = analyze('model M {\n  input x: [4]\n  x -> Dense(2)\n}\n');
    const range = { pos: 0, end: 5 };
    assert.equal(toDocumentHighlight(analysis, { range, kind: 'read' }).kind, 2);
    assert.equal(toDocumentHighlight(analysis, { range, kind: 'write' }).kind, 3);
    assert.deepEqual(toInlayHint(analysis, { pos: offsetOf(analysis.text, 'Dense'), label: ': [2]', kind: 'type', paddingLeft: true }), {
      position: { line: 2, character: 7 },
      label: ': [2]',
      kind: 1,
      paddingLeft: true,
    });
    assert.equal(toInlayHint(analysis, { pos: 0, label: 'units:', kind: 'parameter', paddingLeft: false }).kind, 2);
    assert.deepEqual(CODE_ACTION_KINDS, ['quickfix']);
    const action = { title: 't', kind: 'refactor' as const, isPreferred: false, diagnosticCodes: ['unknown-layer'], edits: [] };
    const diagnostics = [
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'm', code: 'unknown-layer' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'm', code: 'other' },
    ];
    const converted = toCodeAction(analysis, 'file:///m.net', action, diagnostics);
    assert.equal(converted.kind, 'refactor');
    assert.deepEqual(converted.diagnostics, [diagnostics[0]]);
    assert.equal(toCodeAction(analysis, 'file:///m.net', { ...action, kind: 'quickfix' }, []).kind, 'quickfix');
  });
});

/** Field names of LSP's shapes (lines and columns, the signature list, the legend) that the core's plain results must not carry. */
const LSP_FIELDS = new Set(['startLine', 'endLine', 'startCharacter', 'endCharacter', 'line', 'character', 'signatures', 'activeSignature', 'tokenTypes', 'tokenModifiers']);

/** Fields that LSP fills with an enumeration's numbers; the core names the value. */
const ENUMERATION_FIELDS = new Set(['kind', 'severity', 'insertTextFormat']);

/** Where in a feature's result an LSP shape shows: a field of LSP's, a numeric kind, or a stream of numbers. */
function lspShapes(result: unknown, path: string): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[result, path]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [value, where] = entry;
    if (Array.isArray(value)) {
      // A span is two numbers; LSP's token stream is five per token.
      if (value.length > 2 && value.every((item) => typeof item === 'number')) found.push(`${where}: a stream of numbers`);
      value.forEach((item, index) => stack.push([item, `${where}[${index}]`]));
    } else if (value && typeof value === 'object') {
      for (const [key, field] of Object.entries(value)) {
        if (LSP_FIELDS.has(key)) found.push(`${where}.${key}`);
        if (ENUMERATION_FIELDS.has(key) && typeof field !== 'string') found.push(`${where}.${key}: not a name`);
        stack.push([field, `${where}.${key}`]);
      }
    }
  }
  return found;
}

describe('no core feature speaks LSP', () => {
  it('gives offsets and named kinds, never LSP\'s fields, numeric kinds or number streams, for every example', () => {
    const texts = allNetTexts();
    for (const [index, text] of texts.entries()) {
      const analysis = analyze(text);
      const whole = { pos: 0, end: text.length };
      const results: Record<string, unknown> = {
        folds: getFoldingRanges(analysis),
        tokens: getSemanticTokens(analysis),
        symbols: getDocumentSymbols(analysis),
        workspaceSymbols: getWorkspaceSymbols([{ uri: 'file:///m.net', analysis }], ''),
        hints: getInlayHints(analysis, whole),
        actions: getCodeActions(analysis, whole),
        lenses: getCodeLenses(analysis),
        formatting: formatDocument(analysis),
      };
      for (let offset = 0; offset <= text.length; offset += 13) {
        results[`hover@${offset}`] = getHover(analysis, offset);
        results[`completion@${offset}`] = getCompletions(analysis, offset);
        results[`signatureHelp@${offset}`] = getSignatureHelp(analysis, offset);
        results[`definition@${offset}`] = getDefinition(analysis, offset);
        results[`references@${offset}`] = getReferences(analysis, offset, true);
        results[`highlights@${offset}`] = getDocumentHighlights(analysis, offset);
        results[`prepareRename@${offset}`] = prepareRename(analysis, offset);
        results[`rename@${offset}`] = getRenameEdits(analysis, offset, 'renamed');
      }
      assert.deepEqual(lspShapes(results, `example ${index}`), []);
    }
  });
});

describe('what the server sends is convert\'s output', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  it('for the semantic tokens, folds and signature help of every example', async () => {
    const texts = allNetTexts();
    for (const [index, text] of texts.entries()) {
      const uri = `file:///convert/example${index}.net`;
      await client.open(uri, text);
      const textDocument = { uri };
      const analysis = analyze(text);
      const tokens = await client.connection.sendRequest('textDocument/semanticTokens/full', { textDocument });
      assert.deepEqual(tokens, { data: toSemanticTokens(analysis, getSemanticTokens(analysis)) }, `tokens of example ${index}`);
      const folds = await client.connection.sendRequest('textDocument/foldingRange', { textDocument });
      assert.deepEqual(folds, toFoldingRanges(analysis, getFoldingRanges(analysis)), `folds of example ${index}`);
      // Inside every call's arguments, and at the start of every line.
      const offsets = [...text.matchAll(/\(|\n/g)].map((match) => match.index + 1);
      for (const offset of offsets) {
        const position = analysis.lines.positionAt(offset);
        const help = getSignatureHelp(analysis, offset);
        const sent = await client.connection.sendRequest('textDocument/signatureHelp', { textDocument, position });
        assert.deepEqual(sent, help ? toSignatureHelp(help) : null, `signature help at ${index}@${offset}`);
      }
      await client.close(uri);
    }
  });
});
