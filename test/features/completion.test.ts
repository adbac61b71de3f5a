/**
 * Completion: fixtures mark the cursor with `|`, most of them broken the way
 * text is while it is being typed (unclosed calls, `-> D` without parentheses).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ACTIVATIONS, analyze, CALLBACKS, DATA_SOURCES, LAYERS, LOSSES, METRICS, OPTIMIZERS, SCHEDULES, SETTINGS } from '../../core';
import { getCompletions, type CompletionItem } from '../../core/features/completion';
import { netFiles, projectExamples, read, repoRoot } from '../support';
import { atCursor } from './cursor';

function complete(marked: string): { items: CompletionItem[]; labels: string[]; text: string; offset: number } {
  const { analysis, text, offset } = atCursor(marked);
  const { items } = getCompletions(analysis, offset);
  return { items, labels: items.map((item) => item.label), text, offset };
}

function item(items: CompletionItem[], label: string): CompletionItem {
  const found = items.find((candidate) => candidate.label === label);
  assert.ok(found, `no item ${label} among ${items.map((i) => i.label).join(', ')}`);
  return found;
}

const MODEL = (body: string): string => `model M {\n  input x: [28, 28, 1]\n  a = x -> Flatten()\n${body}\n}\n`;
const TRAIN = (body: string): string => `model M {\n  input [2]\n  Dense(1, activation=sigmoid)\n}\n\ntrain M {\n${body}\n}\n`;

const layerNames = LAYERS.map((layer) => layer.name);

function enumValues(layer: string, param: string): readonly string[] {
  const type = LAYERS.find((l) => l.name === layer)!.params.find((p) => p.name === param)!.type;
  assert.equal(type.kind, 'enum');
  return type.kind === 'enum' ? type.values : [];
}

describe('completion of layers and tensors in a model', () => {
  it('offers every layer after `-> D`, replacing the typed word', () => {
    const { items, labels, text, offset } = complete(MODEL('  b = a -> D|'));
    assert.deepEqual(labels, layerNames);
    const dense = item(items, 'Dense');
    assert.equal(dense.kind, 'class');
    assert.equal(dense.insertText, 'Dense(${1:units})');
    assert.equal(dense.insertTextFormat, 'snippet');
    assert.equal(text.slice(dense.range!.pos, dense.range!.end), 'D');
    assert.equal(dense.range!.end, offset);
  });

  it('writes the required arguments as placeholders', () => {
    const { items } = complete(MODEL('  b = a ->|'));
    assert.equal(item(items, 'Conv2D').insertText, 'Conv2D(${1:filters}, ${2:kernel_size})');
    assert.equal(item(items, 'Flatten').insertText, 'Flatten()');
    assert.equal(item(items, 'Embedding').insertText, 'Embedding(${1:input_dim}, ${2:output_dim})');
  });

  it('offers layers after an arrow at the start of a line', () => {
    assert.deepEqual(complete(MODEL('  b = a\n    -> |')).labels, layerNames);
  });

  it('offers tensors, keywords and layers at a statement start', () => {
    const { items, labels } = complete(MODEL('  |'));
    assert.deepEqual(labels.slice(0, 4), ['x', 'a', 'input', 'output']);
    assert.equal(item(items, 'a').detail, '(None, 784)');
    assert.equal(item(items, 'input').kind, 'keyword');
    assert.ok(labels.includes('Dense'));
  });

  it('offers tensors and layers at a pipeline head, not the tensor being defined', () => {
    const { labels } = complete(MODEL('  b = |'));
    assert.ok(labels.includes('a') && labels.includes('x') && labels.includes('Dense'));
    assert.ok(!labels.includes('b'));
    assert.ok(!labels.includes('input'));
  });

  it('offers tensors after output and inside a tuple', () => {
    assert.ok(complete(MODEL('  output |')).labels.includes('a'));
    assert.deepEqual(complete(MODEL('  c = (x, |')).labels, ['x', 'a']);
    assert.deepEqual(complete(MODEL('  output (a, |) -> Add()')).labels, ['x', 'a']);
  });

  it('offers nothing after a complete call on the same line, nor in an input shape', () => {
    assert.deepEqual(complete(MODEL('  b = a -> Dense(3) |')).labels, []);
    assert.deepEqual(complete(MODEL('  input y: [|')).labels, []);
  });
});

describe('completion of arguments', () => {
  it('offers keyword arguments as snippets, and the values of the next positional one', () => {
    const { items, labels } = complete(MODEL('  b = a -> Dense(10, |'));
    assert.ok(labels.includes('softmax'));
    assert.equal(item(items, 'use_bias=').insertText, 'use_bias=${1:true}');
    assert.equal(item(items, 'use_bias=').kind, 'property');
    assert.ok(!labels.includes('units='));
  });

  it('leaves out keyword arguments already given, before and after the cursor', () => {
    const { labels } = complete(MODEL('  b = a -> Dense(10, activation=relu, |, use_bias=false)'));
    assert.ok(labels.includes('kernel_initializer='));
    for (const given of ['units=', 'activation=', 'use_bias=']) assert.ok(!labels.includes(given), given);
    assert.ok(!labels.includes('relu'));
  });

  it('offers the keyword being typed in an unclosed call', () => {
    const { items, text } = complete(MODEL('  b = a -> Dense(10, act|'));
    const activation = item(items, 'activation=');
    assert.equal(text.slice(activation.range!.pos, activation.range!.end), 'act');
  });

  const values: [string, string, string[]][] = [
    ['activation=', 'Dense(10, activation=|', ACTIVATIONS.map((a) => a.name)],
    ['a typed activation', 'Dense(10, activation=so|', ACTIVATIONS.map((a) => a.name)],
    ['an enumeration', 'Conv2D(4, 3, padding=|)', ['valid', 'same']],
    ['an initializer', 'Dense(4, kernel_initializer=|', [...enumValues('Dense', 'kernel_initializer')]],
    ['a boolean', 'Dense(4, use_bias=|', ['true', 'false']],
    ['an optional value', 'ReLU(max_value=|', ['none']],
    ['an activation by position', 'Activation(|', [...ACTIVATIONS.map((a) => a.name), 'activation=', 'name=', 'trainable=']],
  ];
  for (const [what, call, expected] of values) {
    it(`offers the values of ${what}`, () => {
      assert.deepEqual(complete(MODEL(`  b = a -> ${call}`)).labels, expected);
    });
  }

  it('offers the recurrent layers inside Bidirectional, and their arguments inside them', () => {
    const wrapped = complete(MODEL('  b = a -> Reshape([28, 28]) -> Bidirectional(|'));
    assert.deepEqual(wrapped.labels.slice(0, 3), ['SimpleRNN', 'LSTM', 'GRU']);
    assert.equal(item(wrapped.items, 'LSTM').insertText, 'LSTM(${1:units})');
    assert.ok(complete(MODEL('  b = a -> Bidirectional(LSTM(8, |')).labels.includes('return_sequences='));
  });

  it('offers the arguments of an unclosed call across lines, and of a call inside another', () => {
    const { items, text } = complete(MODEL('  b = a -> Dense(10,\n    act|'));
    assert.equal(text.slice(item(items, 'activation=').range!.pos, item(items, 'activation=').range!.end), 'act');
    assert.ok(!items.some((i) => i.label === 'units='));
    const nested = complete(MODEL('  b = a -> Reshape([28, 28]) -> Bidirectional(LSTM(8, ret|'));
    assert.ok(nested.labels.includes('return_sequences='));
    assert.ok(!nested.labels.includes('merge_mode='));
  });

  it('leaves out the keyword arguments a wrapping call gives after the wrapped layer', () => {
    const { labels } = complete(MODEL('  b = a -> Reshape([28, 28]) -> Bidirectional(|LSTM(4), merge_mode=sum)'));
    assert.ok(labels.includes('LSTM') && labels.includes('name='));
    assert.ok(!labels.includes('merge_mode='));
  });

  it('offers the arguments of a call whose parenthesis opens the next line, as the parser reads it', () => {
    const { labels } = complete(MODEL('  b = a -> Dense\n    (10, |'));
    assert.ok(labels.includes('activation='));
    assert.ok(!labels.includes('a'));
  });

  it('offers layers and arguments after a typo earlier in the pipeline', () => {
    assert.deepEqual(complete(MODEL('  b = a -> Dense(4) ]\n    -> |')).labels, layerNames);
    assert.ok(complete(MODEL('  b = a -> Dense(4) ]\n    -> Dense(2, |')).labels.includes('activation='));
  });

  it('offers the tensors of a model whose header has a stray token', () => {
    const { labels } = complete('model M x {\n  input x: [4]\n  a = x -> Dense(4)\n  b = |\n}\n');
    assert.ok(labels.includes('x') && labels.includes('a') && labels.includes('Dense'));
  });

  it('offers nothing in the middle of a value', () => {
    assert.deepEqual(complete(MODEL('  b = a -> Dense(1|')).labels, []);
    assert.deepEqual(complete(MODEL('  b = a -> Dense(10, name="de|')).labels, []);
    assert.deepEqual(complete(MODEL('  b = a -> Dense(10, activation=relu |')).labels, []);
  });
});

describe('completion in train blocks', () => {
  it('offers the settings not yet set, as snippets', () => {
    const { items, labels } = complete(TRAIN('  loss = mse\n  epochs = 3\n  |'));
    assert.deepEqual(labels, SETTINGS.map((s) => s.name).filter((name) => name !== 'loss' && name !== 'epochs'));
    assert.equal(item(items, 'batch_size').insertText, 'batch_size = ${1:32}');
    assert.equal(item(items, 'data').insertText, 'data = $0');
  });

  it('offers the setting being typed itself', () => {
    const { items, text } = complete(TRAIN('  loss = mse\n  lo|'));
    assert.ok(!items.some((i) => i.label === 'loss'));
    const optimizer = item(items, 'optimizer');
    assert.equal(text.slice(optimizer.range!.pos, optimizer.range!.end), 'lo');
  });

  const values: [string, string, string[]][] = [
    ['loss =', '  loss = |', LOSSES.map((l) => l.name)],
    ['optimizer =', '  optimizer = |', OPTIMIZERS.map((o) => o.name)],
    ['metrics = [', '  metrics = [|', METRICS.map((m) => m.name)],
    ['metrics = [accuracy, ', '  metrics = [accuracy, |]', METRICS.map((m) => m.name)],
    ['callbacks = [', '  callbacks = [|', CALLBACKS.map((c) => c.name)],
    ['schedule =', '  schedule = |', SCHEDULES.map((s) => s.name)],
    ['data =', '  data = |', DATA_SOURCES.map((d) => d.name)],
    ['validation =', '  validation = |', DATA_SOURCES.map((d) => d.name)],
    ['shuffle =', '  shuffle = |', ['true', 'false']],
    ['epochs =', '  epochs = |', []],
  ];
  for (const [after, body, expected] of values) {
    it(`offers what fits after ${after}`, () => {
      assert.deepEqual(complete(TRAIN(body)).labels, expected);
    });
  }

  it('writes optimizers with their learning rate and data sources with their arguments', () => {
    assert.equal(item(complete(TRAIN('  optimizer = |')).items, 'Adam').insertText, 'Adam(learning_rate=${1:0.001})');
    const sources = complete(TRAIN('  data = |')).items;
    assert.equal(item(sources, 'csv').insertText, 'csv("${1:file.csv}", label="${2:label}")');
    assert.equal(item(sources, 'xor').insertText, 'xor()');
    assert.equal(item(complete(TRAIN('  schedule = |')).items, 'ExponentialDecay').insertText, 'ExponentialDecay(decay_steps=${1:decay_steps}, decay_rate=${2:decay_rate})');
  });

  it('offers the arguments of an optimizer, callback or data source being called', () => {
    assert.ok(complete(TRAIN('  optimizer = SGD(0.1, |')).labels.includes('momentum='));
    assert.ok(!complete(TRAIN('  optimizer = SGD(0.1, |')).labels.includes('learning_rate='));
    assert.ok(complete(TRAIN('  callbacks = [EarlyStopping(|')).labels.includes('patience='));
    assert.ok(complete(TRAIN('  data = csv("a.csv", |')).labels.includes('scale='));
    assert.deepEqual(complete(TRAIN('  callbacks = [EarlyStopping(mode=|')).labels, ['auto', 'min', 'max']);
  });

  it('offers the metrics in a list being typed, replacing the typed word', () => {
    const { items, labels, text } = complete(TRAIN('  metrics = [acc|'));
    assert.deepEqual(labels, METRICS.map((m) => m.name));
    assert.equal(text.slice(items[0]!.range!.pos, items[0]!.range!.end), 'acc');
    assert.deepEqual(complete(TRAIN('  metrics = [accuracy,\n    |')).labels, METRICS.map((m) => m.name));
    assert.deepEqual(complete(TRAIN('  metrics = [accuracy |')).labels, []);
  });

  it('offers a setting\'s values after a value broken across lines is closed', () => {
    assert.deepEqual(complete(TRAIN('  optimizer = Adam(\n    learning_rate=0.01)\n  loss = |')).labels, LOSSES.map((l) => l.name));
  });

  it('offers the recorded quantities to monitor', () => {
    const { labels } = complete(TRAIN('  metrics = [accuracy]\n  callbacks = [EarlyStopping(monitor=|)]'));
    assert.deepEqual(labels, ['val_loss', 'val_acc', 'loss', 'acc']);
  });
});

describe('completion at the top level', () => {
  it('offers model and train snippets', () => {
    const { items } = complete('|');
    assert.deepEqual(items.map((i) => [i.label, i.kind, i.insertTextFormat]), [
      ['model', 'snippet', 'snippet'],
      ['train', 'snippet', 'snippet'],
    ]);
  });

  it('offers them after a closed declaration too', () => {
    assert.deepEqual(complete(`${MODEL('')}\nmo|`).labels, ['model', 'train']);
  });

  it('offers the model names after train, each once', () => {
    const two = `${MODEL('')}model N {\n  input [2]\n  Dense(1)\n}\n`;
    assert.deepEqual(complete(`${two}train |`).labels, ['M', 'N']);
    assert.deepEqual(complete(`${two}train M, |`).labels, ['N']);
    assert.equal(complete(`${two}train |`).items[0]!.kind, 'module');
  });
});

describe('no completion', () => {
  const cases: [string, string][] = [
    ['in a comment', MODEL('  # Dense(|')],
    ['in a string', TRAIN('  data = csv("trai|')],
    ['after a model keyword', 'model |'],
  ];
  for (const [where, marked] of cases) {
    it(where, () => assert.deepEqual(complete(marked).labels, []));
  }

  it('outside the text', () => {
    const analysis = analyze('model M {}');
    for (const offset of [-1, 11, 2.5, Number.NaN]) assert.deepEqual(getCompletions(analysis, offset).items, []);
  });
});

describe('completion robustness', () => {
  const files = [...netFiles(projectExamples), ...netFiles(join(projectExamples, 'errors')), ...netFiles(join(repoRoot, 'test', 'fixtures'))];
  const assertItemsInText = (items: CompletionItem[], offset: number, length: number, where: string): void => {
    for (const completion of items) {
      const range = completion.range!;
      assert.ok(range.pos <= range.end && range.end === offset && range.end <= length, where);
    }
  };

  it('never throws and replaces only text before the cursor, at every offset of every example and fixture', () => {
    for (const file of files) {
      const analysis = analyze(read(file));
      for (let offset = 0; offset <= analysis.text.length; offset++) {
        assertItemsInText(getCompletions(analysis, offset).items, offset, analysis.text.length, `${file}@${offset}`);
      }
    }
  });

  it('never throws while a file is being typed: at the end of each of its prefixes', () => {
    for (const file of files) {
      const text = read(file);
      for (let length = 0; length <= text.length; length += 3) {
        const analysis = analyze(text.slice(0, length));
        assertItemsInText(getCompletions(analysis, length).items, length, length, `${file}[0..${length}]`);
      }
    }
  });
});

describe('completion of dict keys', () => {
  const HEADS = (settings: string): string => `model Heads {
  input a: [2]
  input b: [1]
  h = (a, b) -> Concatenate()
  output h -> Dense(1, name="yes"), h -> Dense(1, name="size")
}

train Heads {
  ${settings}
}
`;

  it('offers the outputs in a loss, loss_weights or metrics dict, leaving out those given', () => {
    assert.deepEqual(complete(HEADS('loss = {|')).labels, ['yes', 'size']);
    assert.deepEqual(complete(HEADS('loss = {yes: mse, |}')).labels, ['size']);
    assert.deepEqual(complete(HEADS('loss_weights = {s|')).labels, ['yes', 'size']);
    assert.equal(item(complete(HEADS('metrics = {|}')).items, 'yes').insertText, 'yes: ');
  });

  it('offers the inputs in inputs={…} and the outputs in label={…}', () => {
    assert.deepEqual(complete(HEADS('data = csv("d.csv", inputs={|')).labels, ['a', 'b']);
    assert.deepEqual(complete(HEADS('data = csv("d.csv", inputs={a: "a0:a1", |})')).labels, ['b']);
    assert.deepEqual(complete(HEADS('data = csv("d.csv", label={|})')).labels, ['yes', 'size']);
  });

  it('offers no key in a value, nor in a dict of another setting', () => {
    assert.deepEqual(complete(HEADS('loss = {yes: m|}')).labels.includes('size'), false);
    assert.deepEqual(complete(HEADS('epochs = {|}')).labels, []);
  });
});
