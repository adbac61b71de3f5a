/**
 * Robustness: seeded random inputs, mutations of the examples and token
 * soup, must never make the core throw, and none may take over 50 ms.
 * `npm test` runs 5,000 inputs; `npm run fuzz` runs 100,000.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../core';
import { forEachChild, type Node } from '../core/syntax/tree';
import { netFiles, projectExamples, read, sharedExamples } from './support';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 5000);
const LIMIT_MS = 50;
const SEED = 20261127;

const corpus = [...netFiles(sharedExamples), ...netFiles(projectExamples)].map(read);

const TOKENS = [
  'model', 'train', 'input', 'output', 'Dense', 'Conv2D', 'LSTM', 'Bidirectional', 'Add', 'Concatenate', 'Reshape', 'Flatten',
  'x', 'a', 'b', '(', ')', '[', ']', '{', '}', ',', ':', '=', '->', '-', '+', '*', '/', '#', '"', "'", '\n', ' ', '\t',
  '0', '1', '-1', '3', '1e-3', '1/0', '0.5', 'none', 'true', 'relu', 'softmax', 'same', 'units=', 'data', 'xor()', 'csv("f.csv")',
  '\u00a7', '\u2192', '\r\n', '((((', ']]]]', '999999999999',
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 300 }).map((tokens) => tokens.join(''));

/** A random edit of an example: delete, duplicate, insert a token, or swap two slices. */
const mutation = fc
  .tuple(
    fc.nat(corpus.length - 1),
    fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.constantFrom(...TOKENS), fc.nat(3)), { minLength: 1, maxLength: 8 }),
  )
  .map(([index, edits]) => {
    let text = corpus[index]!;
    for (const [at, length, token, kind] of edits) {
      const pos = at % (text.length + 1);
      if (kind === 0) text = text.slice(0, pos) + text.slice(pos + length);
      else if (kind === 1) text = text.slice(0, pos) + text.slice(pos, pos + length) + text.slice(pos);
      else if (kind === 2) text = text.slice(0, pos) + token + text.slice(pos);
      else text = text.slice(pos) + text.slice(0, pos);
    }
    return text;
  });

const bytes = fc.string({ unit: 'binary', maxLength: 400 });

/** Every node of the tree lies within its parent, after its elder sibling, and ranges are ordered: the tree's positions can be trusted. */
function assertNested(root: Node, length: number): void {
  const stack: { node: Node; pos: number; end: number }[] = [{ node: root, pos: 0, end: length }];
  while (stack.length) {
    const { node, pos, end } = stack.pop()!;
    assert.ok(node.pos <= node.end && node.pos >= pos && node.end <= end, `${node.kind} ${node.pos}-${node.end} outside ${pos}-${end}`);
    let elder: Node | undefined;
    forEachChild(node, (child) => {
      assert.ok(!elder || elder.end <= child.pos, `${child.kind} ${child.pos}-${child.end} before its elder sibling ${elder?.kind} ${elder?.pos}-${elder?.end}`);
      elder = child;
      stack.push({ node: child, pos: node.pos, end: node.end });
    });
  }
}

describe('fuzz', () => {
  it(`never throws and stays under ${LIMIT_MS} ms on ${RUNS} seeded inputs`, (t) => {
    let slowest = 0;
    let slowestInput = '';
    fc.assert(
      fc.property(fc.oneof({ weight: 5, arbitrary: mutation }, { weight: 3, arbitrary: tokenSoup }, { weight: 1, arbitrary: bytes }), (text) => {
        const start = performance.now();
        const analysis = analyze(text);
        const elapsed = performance.now() - start;
        if (elapsed > slowest) {
          slowest = elapsed;
          slowestInput = text;
        }
        assertNested(analysis.file, text.length);
        for (const d of analysis.diagnostics) {
          assert.notEqual(d.code, 'internal-error', d.message);
          assert.ok(d.pos >= 0 && d.end <= text.length && d.pos <= d.end, `diagnostic range ${d.pos}-${d.end} outside the text`);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Measured outside the property so a cold start (JIT) does not count against one input: re-time the slowest.
    const start = performance.now();
    analyze(slowestInput);
    const again = performance.now() - start;
    t.diagnostic(`slowest input: ${slowest.toFixed(2)} ms, ${again.toFixed(2)} ms when timed again`);
    assert.ok(Math.min(slowest, again) < LIMIT_MS, `slowest input took ${slowest.toFixed(1)} ms (again ${again.toFixed(1)} ms): ${JSON.stringify(slowestInput.slice(0, 200))}`);
  });

  it('survives pathological nesting and size', () => {
    const deep = `model M { input [2] Dense(${'('.repeat(5000)}1${')'.repeat(5000)}) }`;
    const unclosed = `model M { input [2] x = ${'['.repeat(20000)}`;
    const chain = `model M {\n  input [8]\n${'  Dense(8)\n'.repeat(20000)}}\n`;
    const arrows = `model M { input x: [8] x${' -> Dense(8)'.repeat(20000)} }`;
    for (const text of [deep, unclosed, chain, arrows]) {
      const analysis = analyze(text);
      assert.ok(analysis.file.declarations.length >= 1);
    }
    const long = analyze(chain);
    assert.equal(long.models[0]!.network.params?.total, 20000 * 72);
  });
});
