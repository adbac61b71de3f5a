/**
 * Workspace symbols across documents, matched by the query's letters in order.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../../core';
import { getWorkspaceSymbols } from '../../core/features/workspaceSymbols';
import { allNetTexts, read, sharedExamples } from '../support';

const documents = [
  { uri: 'file:///residual.net', analysis: analyze(read(join(sharedExamples, 'residual.net'))) },
  { uri: 'file:///sign_mnist.net', analysis: analyze(read(join(sharedExamples, 'sign_mnist.net'))) },
];

const summary = (query: string) => getWorkspaceSymbols(documents, query).map(({ name, kind, uri, containerName }) => ({ name, kind, uri, containerName }));

describe('workspace symbols', () => {
  it('finds models, tensors and train blocks of every document for an empty query', () => {
    assert.deepEqual(
      summary('').map((symbol) => `${symbol.kind} ${symbol.name}${symbol.containerName ? ` in ${symbol.containerName}` : ''}`),
      [
        'class Residual',
        'variable features in Residual',
        'variable extra in Residual',
        'variable a in Residual',
        'variable b in Residual',
        'variable skip in Residual',
        'variable both in Residual',
        'class SignMNIST',
        'variable pixels in SignMNIST',
        'event train SignMNIST',
      ],
    );
  });

  it('matches the query as a subsequence, ignoring case', () => {
    assert.deepEqual(summary('sgmn'), [
      { name: 'SignMNIST', kind: 'class', uri: 'file:///sign_mnist.net', containerName: undefined },
      { name: 'train SignMNIST', kind: 'event', uri: 'file:///sign_mnist.net', containerName: undefined },
    ]);
    assert.deepEqual(
      summary('SKP').map((symbol) => symbol.name),
      ['skip'],
    );
    assert.deepEqual(summary('zzz'), []);
  });

  it('points at each name in its document', () => {
    for (const symbol of getWorkspaceSymbols(documents, '')) {
      const { analysis } = documents.find((document) => document.uri === symbol.uri)!;
      const text = analysis.text.slice(symbol.range.pos, symbol.range.end);
      assert.equal(symbol.name.startsWith('train ') ? `train ${text}` : text, symbol.name);
    }
  });

  it('never throws and stays within each text, over every example at once', () => {
    const all = allNetTexts().map((text, i) => ({ uri: `file:///${i}.net`, analysis: analyze(text) }));
    for (const query of ['', 'a', 'train', 'x y', '\u00e9', '*']) {
      for (const symbol of getWorkspaceSymbols(all, query)) {
        const { analysis } = all.find((document) => document.uri === symbol.uri)!;
        assert.ok(0 <= symbol.range.pos && symbol.range.pos <= symbol.range.end && symbol.range.end <= analysis.text.length);
      }
    }
  });
});

