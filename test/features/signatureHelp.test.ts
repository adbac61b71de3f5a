/**
 * Signature help: the active parameter follows the cursor through commas and
 * keywords, in closed and unclosed calls, in models and train blocks.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, findLayer } from '../../core';
import { getSignatureHelp } from '../../core/features/signatureHelp';
import { netFiles, projectExamples, read, repoRoot } from '../support';
import { atCursor } from './cursor';

const MODEL = (body: string): string => `model M {\n  input x: [28, 28, 1]\n${body}\n}\n`;
const TRAIN = (body: string): string => `model M {\n  input [2]\n  Dense(1, activation=sigmoid)\n}\n\ntrain M {\n${body}\n}\n`;

/** The signature's name and the text of its active parameter, or undefined when none is active. */
function active(marked: string): { name: string; parameter: string | undefined; label: string } | undefined {
  const { analysis, offset } = atCursor(marked);
  const help = getSignatureHelp(analysis, offset);
  if (!help) return undefined;
  const parameter = help.activeParameter === undefined ? undefined : help.parameters[help.activeParameter];
  return { name: help.label.slice(0, help.label.indexOf('(')), parameter: parameter && help.label.slice(...parameter.span), label: help.label };
}

describe('signature help', () => {
  it('labels a layer with its arguments and defaults, each parameter at its place in the label', () => {
    const { analysis, offset } = atCursor(MODEL('  x -> Flatten() -> Dense(|'));
    const signature = getSignatureHelp(analysis, offset)!;
    assert.ok(signature.label.startsWith('Dense(units, activation=linear, use_bias=true, kernel_initializer=glorot_uniform'));
    assert.deepEqual(
      signature.parameters.map((parameter) => signature.label.slice(...parameter.span).split('=')[0]),
      findLayer('Dense')!.params.map((param) => param.name),
    );
    assert.deepEqual(
      signature.parameters.map((parameter) => parameter.name),
      findLayer('Dense')!.params.map((param) => param.name),
    );
    assert.equal(signature.documentation, findLayer('Dense')!.doc);
  });

  const cases: [string, string, string, string | undefined][] = [
    ['the first positional argument', MODEL('  x -> Flatten() -> Dense(|'), 'Dense', 'units'],
    ['the second after a comma', MODEL('  x -> Flatten() -> Dense(10, |'), 'Dense', 'activation=linear'],
    ['a keyword being given', MODEL('  x -> Flatten() -> Dense(10, use_bias=|'), 'Dense', 'use_bias=true'],
    ['a keyword being typed', MODEL('  x -> Flatten() -> Dense(10, kernel|'), 'Dense', 'kernel_initializer=glorot_uniform'],
    ['no parameter after keywords', MODEL('  x -> Flatten() -> Dense(10, activation=relu, |'), 'Dense', undefined],
    ['inside a list argument', MODEL('  x -> Conv2D(8, [3, |3])'), 'Conv2D', 'kernel_size'],
    ['a positional value being typed', MODEL('  x -> Conv2D(8, 3, 1, sa|'), 'Conv2D', 'padding=valid'],
    ['across lines', MODEL('  x -> Conv2D(8,\n    3,\n    |'), 'Conv2D', 'strides=[1, 1]'],
    ['a closed call', MODEL('  x -> Conv2D(8, |3)'), 'Conv2D', 'kernel_size'],
    ['a wrapped layer', MODEL('  x -> Reshape([28, 28]) -> Bidirectional(LSTM(8, |))'), 'LSTM', undefined],
    ['the wrapping layer', MODEL('  x -> Reshape([28, 28]) -> Bidirectional(LSTM(8), |)'), 'Bidirectional', undefined],
    ['the wrapping layer\'s keyword', MODEL('  x -> Reshape([28, 28]) -> Bidirectional(LSTM(8), merge_mode=|'), 'Bidirectional', 'merge_mode=concat'],
    ['an optimizer', TRAIN('  optimizer = SGD(|'), 'SGD', 'learning_rate=0.01'],
    ['an optimizer\'s keyword', TRAIN('  optimizer = SGD(0.1, momentum=0.9, nesterov=|)'), 'SGD', 'nesterov=false'],
    ['a callback in a list', TRAIN('  callbacks = [ReduceLROnPlateau(), EarlyStopping(patience=|'), 'EarlyStopping', 'patience=0'],
    ['a data source', TRAIN('  data = csv(|'), 'csv', 'path'],
    ['a data source\'s keyword', TRAIN('  data = csv("a.csv", label="y", sca|'), 'csv', 'scale=1'],
    ['a schedule', TRAIN('  schedule = ExponentialDecay(0.1, |'), 'ExponentialDecay', 'decay_steps'],
    ['a call whose parenthesis opens the next line', MODEL('  x -> Flatten() -> Dense\n    (10, |'), 'Dense', 'activation=linear'],
    ['a call after a typo earlier in the pipeline', MODEL('  x -> Flatten() ]\n    -> Dense(10, |'), 'Dense', 'activation=linear'],
    ['a nested call being typed', MODEL('  x -> Reshape([28, 28]) -> Bidirectional(LSTM(8, ret|'), 'LSTM', 'return_sequences=false'],
  ];
  for (const [what, marked, name, parameter] of cases) {
    it(`marks ${what}`, () => {
      const help = active(marked);
      assert.ok(help, 'no signature help');
      assert.equal(help.name, name);
      assert.equal(help.parameter, parameter);
    });
  }

  const none: [string, string][] = [
    ['after a closed call', MODEL('  x -> Flatten() -> Dense(10)|')],
    ['in a tuple of tensors', MODEL('  a = x -> Flatten()\n  (a, |) -> Add()')],
    ['for an unknown layer', MODEL('  x -> Dense2(|')],
    ['in a comment inside a call', MODEL('  x -> Dense(10, # |\n  )')],
    ['at the top level', 'foo(|'],
    ['after a line break where a comma should be', MODEL('  x -> Flatten() -> Dense(10\n  |')],
  ];
  for (const [where, marked] of none) {
    it(`gives none ${where}`, () => assert.equal(active(marked), undefined));
  }

  it('gives none outside the text', () => {
    const analysis = analyze('model M { input [2] Dense(1) }');
    for (const offset of [-1, 100, 0.5, Number.NaN]) assert.equal(getSignatureHelp(analysis, offset), undefined);
  });
});

describe('signature help robustness', () => {
  const files = [...netFiles(projectExamples), ...netFiles(join(projectExamples, 'errors')), ...netFiles(join(repoRoot, 'test', 'fixtures'))];
  it('never throws and keeps parameter labels inside the label, at every offset of every example and fixture', () => {
    for (const file of files) {
      const analysis = analyze(read(file));
      for (let offset = 0; offset <= analysis.text.length; offset++) {
        const help = getSignatureHelp(analysis, offset);
        if (!help) continue;
        const active = help.activeParameter;
        assert.ok(active === undefined || (Number.isInteger(active) && active >= 0 && active < help.parameters.length), `${file}@${offset}`);
        for (const { span: [start, end] } of help.parameters) assert.ok(start >= 0 && start < end && end <= help.label.length);
      }
    }
  });
});
