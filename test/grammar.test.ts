/**
 * The editor's static files: the TextMate grammar, held to the assertion
 * files in test/grammar/ by vscode-tmgrammar-test and to the core's
 * catalogs, and the language configuration's patterns.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ACTIVATIONS, LAYERS, LOSSES, METRICS, type ArgType } from '../core';
import { read, repoRoot } from './support';

interface Grammar {
  scopeName: string;
  repository: Record<string, { begin?: string; match?: string }>;
}

const grammar = JSON.parse(read(join(repoRoot, 'syntaxes', 'net.tmLanguage.json'))) as Grammar;

/** Every value an enumerated layer argument takes, such as `same` and `he_normal`. */
function enumValues(type: ArgType): readonly string[] {
  if (type.kind === 'enum') return type.values;
  return type.kind === 'optional' ? enumValues(type.of) : [];
}

describe('TextMate grammar', () => {
  it('passes its assertion files', () => {
    const cli = join(repoRoot, 'node_modules', '.bin', 'vscode-tmgrammar-test');
    const result = spawnSync(cli, ['-g', 'syntaxes/net.tmLanguage.json', 'test/grammar/*.net'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.error ?? ''}${result.stdout}${result.stderr}`);
  });

  it('knows exactly the catalog\'s layers', () => {
    assert.equal(grammar.scopeName, 'source.net');
    const callee = /^\\b\(\?:\(([A-Za-z0-9|]+)\)/.exec(grammar.repository['call']?.begin ?? '');
    assert.ok(callee, 'the call rule starts with the layer names');
    assert.deepEqual(callee[1]!.split('|').sort(), LAYERS.map((layer) => layer.name).sort());
  });

  it('marks every activation, enumerated value, loss and metric as a known value', () => {
    const known = new RegExp(`^(?:${grammar.repository['known-value']?.match ?? ''})$`);
    const names = [
      ...ACTIVATIONS.map((activation) => activation.name),
      ...LAYERS.flatMap((layer) => layer.params.flatMap((param) => enumValues(param.type))),
      ...LOSSES.flatMap((loss) => [loss.name, ...(loss.aliases ?? [])]),
      ...METRICS.map((metric) => metric.name),
      'val_loss',
      'val_acc',
    ];
    assert.deepEqual(names.filter((name) => !known.test(name)), []);
    assert.equal(known.test('softmaxx'), false);
  });
});

describe('language configuration', () => {
  const config = JSON.parse(read(join(repoRoot, 'language-configuration.json'))) as {
    comments: { lineComment: string };
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    onEnterRules: { beforeText: string; action: { indent: string; appendText?: string } }[];
    wordPattern: string;
  };

  it('indents after an opening bracket at the end of a line and outdents at a closing one', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    for (const line of ['model M {', '  callbacks = [', '  Dense(  # units', '  data = csv(']) assert.ok(increase.test(line), line);
    for (const line of ['  Dense(64)', '  x = (a, b) -> Add()', '# a comment {']) assert.ok(!increase.test(line), line);
    for (const line of ['}', '  ]', '    )']) assert.ok(decrease.test(line), line);
    assert.equal(config.comments.lineComment, '#');
  });

  it('continues a pipeline and a comment on Enter', () => {
    const ruleFor = (line: string) => config.onEnterRules.find((rule) => new RegExp(rule.beforeText).test(line))?.action;
    assert.deepEqual(ruleFor('  tokens ->'), { indent: 'indent' });
    assert.deepEqual(ruleFor('  x -> Dense(3) ->   # then'), { indent: 'indent' });
    assert.deepEqual(ruleFor('  # shapes below'), { indent: 'none', appendText: '# ' });
    assert.equal(ruleFor('  Dense(3)  # trailing'), undefined);
  });

  it('takes identifiers and numbers as words', () => {
    const words = (line: string) => line.match(new RegExp(config.wordPattern, 'g'));
    assert.deepEqual(words('Conv2D(32, kernel_size=3) -> Dropout(.5) lr=1e-3'), ['Conv2D', '32', 'kernel_size', '3', 'Dropout', '.5', 'lr', '1e-3']);
  });
});
