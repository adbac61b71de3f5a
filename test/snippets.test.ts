/**
 * Snippets, expanded as VS Code inserts them when every placeholder keeps its
 * default, check clean where they belong: the declarations at the top
 * level, the layers inside a model, the callbacks inside a train block.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../core';
import { read, repoRoot } from './support';

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

const snippets = Object.values(JSON.parse(read(join(repoRoot, 'snippets', 'net.json'))) as Record<string, Snippet>);

/** `${1:x}` and `${1|a,b|}` give their default, mirrors such as `$1` repeat it, and `$0` is the final cursor. */
function expand(body: string[]): string {
  const defaults = new Map<string, string>();
  return body
    .join('\n')
    .replace(/\$\{(\d+):([^}]*)\}/g, (_, index: string, value: string) => {
      defaults.set(index, value);
      return value;
    })
    .replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_, index: string, choices: string) => {
      const first = choices.split(',')[0]!;
      defaults.set(index, first);
      return first;
    })
    .replace(/\$(\d+)/g, (_, index: string) => defaults.get(index) ?? '');
}

/** Where each snippet goes, as a file around its expansion. */
const CONTEXTS: Record<string, (body: string) => string> = {
  model: (body) => body,
  modelf: (body) => body,
  train: (body) => `${expand(byPrefix('model').body)}\n${body}`,
  dense: (body) => `model M {\n  input [8]\n  ${body}\n}\n`,
  dropout: (body) => `model M {\n  input [8]\n  ${body}\n}\n`,
  conv: (body) => `model M {\n  input [28, 28, 1]\n  ${body}\n}\n`,
  lstm: (body) => `model M {\n  input [10, 8]\n  ${body}\n}\n`,
  callbacks: (body) =>
    `model M {\n  input [2]\n  Dense(2, activation=softmax)\n}\ntrain M {\n  data = xor()\n  validation = 0.5\n  loss = categorical_crossentropy\n  ${body}\n}\n`,
};

function byPrefix(prefix: string): Snippet {
  const snippet = snippets.find((candidate) => candidate.prefix === prefix);
  assert.ok(snippet, `no snippet ${prefix}`);
  return snippet;
}

describe('snippets', () => {
  it('are the expected set, each with a description', () => {
    assert.deepEqual(snippets.map((snippet) => snippet.prefix).sort(), Object.keys(CONTEXTS).sort());
    for (const snippet of snippets) assert.ok(snippet.description.length > 0, snippet.prefix);
  });

  for (const [prefix, context] of Object.entries(CONTEXTS)) {
    it(`${prefix} expands to text that checks without errors`, () => {
      const text = context(expand(byPrefix(prefix).body));
      const problems = analyze(text).diagnostics.map((d) => `${d.code}: ${d.message}`);
      assert.deepEqual(problems, [], text);
    });
  }
});
