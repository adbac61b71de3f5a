/**
 * Hover: fixtures mark the hovered spot with `|`; the assertions hold the
 * numbers (shapes, counts, formulas, lines) and the catalog's own texts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ACTIVATIONS, analyze, CALLBACKS, DATA_SOURCES, LOSSES, METRICS, OPTIMIZERS, SCHEDULES, SETTINGS, findLayer } from '../../core';
import { getHover } from '../../core/features/hover';
import { netFiles, projectExamples, read, repoRoot } from '../support';
import { atCursor } from './cursor';

const SIGN_MNIST = `# The classic MLP.
model SignMNIST {
  input pixels: [784]
  pixels
    -> Dense(1024, activation=relu)
    -> Dense(512, activation=relu)
    -> Dense(256, activation=relu)
    -> Dense(24, activation=softmax)
}

train SignMNIST {
  data       = csv("train.csv", label="label", scale=1/255)
  loss       = categorical_crossentropy
  optimizer  = Adam(learning_rate=0.001)
  metrics    = [accuracy]
  schedule   = StepDecay(factor=0.5)
  callbacks  = [EarlyStopping(patience=3, mode=min)]
  epochs     = 20
}
`;

/** SIGN_MNIST with a `|` inserted before the first occurrence of `before`, plus `shift` characters. */
function signMnistAt(before: string, shift = 0): { text: string; offset: number } {
  const offset = SIGN_MNIST.indexOf(before) + shift;
  assert.ok(offset >= shift, `fixture lacks ${before}`);
  return { text: SIGN_MNIST, offset };
}

function hoverAt(text: string, offset: number): { markdown: string; range: { pos: number; end: number }; source: string } {
  const hover = getHover(analyze(text), offset);
  assert.ok(hover, `no hover at ${offset}: ${JSON.stringify(text.slice(Math.max(0, offset - 10), offset + 10))}`);
  return { ...hover, source: text.slice(hover.range.pos, hover.range.end) };
}

function markedHover(marked: string): { markdown: string; source: string } {
  const { text, offset } = atCursor(marked);
  return hoverAt(text, offset);
}

describe('hover on layers', () => {
  it('shows the first Dense layer: name, shape, formula with result, split and running total', () => {
    const { text, offset } = signMnistAt('Dense(1024', 2);
    const hover = hoverAt(text, offset);
    assert.equal(hover.source, 'Dense');
    assert.match(hover.markdown, /`dense`/);
    assert.match(hover.markdown, /\(None, 1024\)/);
    assert.ok(hover.markdown.includes('784 × 1024 + 1024 = 803,840'));
    assert.match(hover.markdown, /trainable 803,840 · non-trainable 0/);
    assert.match(hover.markdown, /Running total: 803,840 of 1,466,136/);
    assert.ok(hover.markdown.includes(findLayer('Dense')!.doc));
  });

  const runningTotals: [string, string, string][] = [
    ['Dense(512', '1024 × 512 + 512 = 524,800', '1,328,640'],
    ['Dense(256', '512 × 256 + 256 = 131,328', '1,459,968'],
    ['Dense(24', '256 × 24 + 24 = 6,168', '1,466,136'],
  ];
  for (const [call, formula, total] of runningTotals) {
    it(`keeps a running total in source order at ${call}`, () => {
      const { text, offset } = signMnistAt(call);
      const hover = hoverAt(text, offset);
      assert.ok(hover.markdown.includes(formula), hover.markdown);
      assert.ok(hover.markdown.includes(`Running total: ${total} of 1,466,136`), hover.markdown);
    });
  }

  it('covers the whole call from inside its arguments', () => {
    const { text, offset } = signMnistAt('1024, activation', 2);
    const hover = hoverAt(text, offset);
    assert.equal(hover.source, 'Dense(1024, activation=relu)');
    assert.ok(hover.markdown.includes('784 × 1024 + 1024 = 803,840'));
  });

  it('adds the TensorFlow.js note of GRU', () => {
    const hover = markedHover('model S {\n  input t: [40, 8]\n  t -> G|RU(32)\n}');
    assert.ok(hover.markdown.includes(findLayer('GRU')!.tfjsNote!));
    assert.ok(hover.markdown.includes('3 × (32 × (8 + 32) + 32) = 3,936'), hover.markdown);
  });

  it('splits trainable and non-trainable parameters', () => {
    const hover = markedHover('model B {\n  input x: [8, 8, 4]\n  Batch|Normalization()\n}');
    assert.match(hover.markdown, /4 × 4 = 16/);
    assert.match(hover.markdown, /trainable 8 · non-trainable 8/);
  });

  it('counts a frozen layer as non-trainable', () => {
    const hover = markedHover('model F {\n  input x: [4]\n  De|nse(2, trainable=false)\n}');
    assert.match(hover.markdown, /4 × 2 \+ 2 = 10/);
    assert.match(hover.markdown, /trainable 0 · non-trainable 10/);
  });

  it('says briefly when a shape is unknown, and leaves out the running total', () => {
    const hover = markedHover('model U {\n  input x: [64]\n  x -> Con|v2D(8, 3)\n}');
    assert.match(hover.markdown, /output unknown/);
    assert.doesNotMatch(hover.markdown, /Running total/);
  });

  it('says when a layer is not part of the model', () => {
    const hover = markedHover('model N {\n  input x: [4]\n  a = x -> Dense(8)\n  b = x -> De|nse(3)\n  output a\n}');
    assert.match(hover.markdown, /Not part of the model/);
    assert.doesNotMatch(hover.markdown, /Running total/);
  });

  it('documents a layer wrapped by Bidirectional', () => {
    const hover = markedHover('model S {\n  input t: [40, 8]\n  t -> Bidirectional(LS|TM(16))\n}');
    assert.equal(hover.source, 'LSTM');
    assert.ok(hover.markdown.includes(findLayer('LSTM')!.doc));
  });
});

describe('hover on arguments and values', () => {
  it('documents a keyword argument: type, default and meaning', () => {
    const { text, offset } = signMnistAt('activation=relu', 3);
    const hover = hoverAt(text, offset);
    assert.equal(hover.source, 'activation');
    assert.match(hover.markdown, /`activation`/);
    assert.match(hover.markdown, /default `linear`/);
    assert.ok(hover.markdown.includes(findLayer('Dense')!.params.find((p) => p.name === 'activation')!.doc));
  });

  it('marks a required argument', () => {
    const hover = markedHover('model R {\n  input x: [4]\n  Dense(un|its=3)\n}');
    assert.match(hover.markdown, /`int ≥ 1` · required/);
  });

  it('documents an activation value', () => {
    const { text, offset } = signMnistAt('softmax)', 2);
    const hover = hoverAt(text, offset);
    assert.equal(hover.source, 'softmax');
    assert.ok(hover.markdown.includes(ACTIVATIONS.find((a) => a.name === 'softmax')!.doc));
  });

  it('documents an activation given by position', () => {
    const hover = markedHover('model A {\n  input x: [4]\n  Activation(ta|nh)\n}');
    assert.ok(hover.markdown.includes(ACTIVATIONS.find((a) => a.name === 'tanh')!.doc));
  });

  it('lists the values of an enumeration', () => {
    const hover = markedHover('model C {\n  input x: [8, 8, 1]\n  Conv2D(4, 3, padding=sa|me)\n}');
    assert.equal(hover.source, 'same');
    assert.match(hover.markdown, /valid, same/);
  });

  it('documents an argument of a train call', () => {
    const { text, offset } = signMnistAt('patience', 1);
    const hover = hoverAt(text, offset);
    assert.ok(hover.markdown.includes(CALLBACKS.find((c) => c.name === 'EarlyStopping')!.params.find((p) => p.name === 'patience')!.doc));
  });
});

describe('hover on models, tensors and inputs', () => {
  for (const [where, before] of [
    ['declaration', 'SignMNIST {'],
    ['train block', 'SignMNIST {\n  data'],
  ] as const) {
    it(`summarises the model at its ${where}`, () => {
      const { text, offset } = signMnistAt(before, 4);
      const hover = hoverAt(text, offset);
      assert.equal(hover.source, 'SignMNIST');
      assert.match(hover.markdown, /4 layers/);
      assert.match(hover.markdown, /\*\*1,466,136\*\* · trainable 1,466,136 · non-trainable 0/);
      assert.match(hover.markdown, /`pixels` `\(None, 784\)`/);
      assert.match(hover.markdown, /`dense_3` `\(None, 24\)`/);
    });
  }

  const residual = 'model R {\n  input x: [64]\n  a = x -> Dense(128)\n  b = a -> Dense(128)\n  output (a, b) -> Add()\n}';
  const tensors: [string, string, string, number][] = [
    ['a tensor at its definition', 'a = x', '(None, 128)', 3],
    ['a tensor at a use', '(a, b)', '(None, 128)', 3],
    ['an input at its definition', 'x: [64]', '(None, 64)', 2],
    ['an input at a use', 'x -> Dense', '(None, 64)', 2],
  ];
  for (const [what, before, shape, line] of tensors) {
    it(`shows ${what}: shape and line`, () => {
      const offset = residual.indexOf(before) + (before.startsWith('(') ? 1 : 0);
      const hover = hoverAt(residual, offset);
      assert.equal(hover.source.length, 1);
      assert.ok(hover.markdown.includes(`\`${shape}\``), hover.markdown);
      assert.ok(hover.markdown.includes(`defined on line ${line}`), hover.markdown);
    });
  }

  it('shows an input statement\'s shape', () => {
    const hover = markedHover('model I {\n  inp|ut [28, 28, 1]\n  Flatten()\n}');
    assert.equal(hover.source, 'input [28, 28, 1]');
    assert.match(hover.markdown, /\(None, 28, 28, 1\)/);
  });
});

describe('hover in train blocks', () => {
  const cases: [string, string, string][] = [
    ['epochs', 'epochs', SETTINGS.find((s) => s.name === 'epochs')!.doc],
    ['a loss', 'categorical_crossentropy', LOSSES.find((l) => l.name === 'categorical_crossentropy')!.doc],
    ['an optimizer', 'Adam', OPTIMIZERS.find((o) => o.name === 'Adam')!.doc],
    ['a metric', 'accuracy', METRICS.find((m) => m.name === 'accuracy')!.doc],
    ['a data source', 'csv', DATA_SOURCES.find((d) => d.name === 'csv')!.doc],
    ['a schedule', 'StepDecay', SCHEDULES.find((s) => s.name === 'StepDecay')!.doc],
    ['a callback', 'EarlyStopping', CALLBACKS.find((c) => c.name === 'EarlyStopping')!.doc],
  ];
  for (const [what, word, doc] of cases) {
    it(`documents ${what}`, () => {
      const { text, offset } = signMnistAt(word, 1);
      const hover = hoverAt(text, offset);
      assert.equal(hover.source, word);
      assert.ok(hover.markdown.includes(doc), hover.markdown);
    });
  }

  it('gives a setting\'s default', () => {
    const { text, offset } = signMnistAt('epochs', 1);
    assert.match(hoverAt(text, offset).markdown, /default `10`/);
  });
});

describe('no hover', () => {
  const { text } = atCursor(`${SIGN_MNIST}|`);
  const analysis = analyze(text);
  const spots: [string, number][] = [
    ['inside a comment', SIGN_MNIST.indexOf('classic')],
    ['between declarations', SIGN_MNIST.indexOf('\n\ntrain') + 1],
    ['before the start', -1],
    ['past the end', text.length + 1],
    ['at a fractional offset', 1.5],
    ['at NaN', Number.NaN],
  ];
  for (const [where, offset] of spots) {
    it(where, () => assert.equal(getHover(analysis, offset), undefined));
  }

  it('on an undefined tensor', () => {
    const { analysis: broken, offset } = atCursor('model U {\n  input x: [4]\n  y| -> Dense(2)\n}');
    assert.equal(getHover(broken, offset), undefined);
  });
});

describe('hover robustness', () => {
  const files = [...netFiles(projectExamples), ...netFiles(join(projectExamples, 'errors')), ...netFiles(join(repoRoot, 'test', 'fixtures'))];
  it('never throws and keeps ranges in the text, at every offset of every example and fixture', () => {
    for (const file of files) {
      const analysis = analyze(read(file));
      for (let offset = 0; offset <= analysis.text.length; offset++) {
        const hover = getHover(analysis, offset);
        if (!hover) continue;
        assert.ok(hover.range.pos <= offset && offset <= hover.range.end && hover.range.end <= analysis.text.length, `${file}@${offset}`);
        assert.ok(hover.markdown.length > 0);
      }
    }
  });
});

describe('hover on a train block\'s dict keys', () => {
  it('shows the input an inputs={…} key names, and the output a loss or label key names, with shapes', () => {
    const { analysis, offsets } = atCursor(`model Two {
  input feat|ures: [4]
  input extra: [2]
  h = (features, extra) -> Concatenate() -> Dense(8, activation=relu)
  output h -> Dense(1, activation=sigmoid, name="out_a"), h -> Dense(3, activation=softmax, name="out_b")
}

train Two {
  data = csv("d.csv", label={"ou|t_a": "ya", out_b: "yb"}, inputs={fea|tures: "f0:f3", extra: "e0:e1"})
  loss = {out_a: binary_crossentropy, o|ut_b: categorical_crossentropy}
  loss_weights = {out_b: 0.5}
  metrics = {out_a: [accuracy], unkn|own: [accuracy]}
}
`);
    const [, stringKey, inputKey, lossKey, unknownKey] = offsets as [number, number, number, number, number];
    assert.equal(getHover(analysis, inputKey)?.markdown, '**input** `features` of `Two` · shape `(None, 4)`');
    assert.equal(getHover(analysis, stringKey)?.markdown, '**output** `out_a` of `Two` · Dense · shape `(None, 1)` · 9 params');
    const loss = getHover(analysis, lossKey)!;
    assert.equal(loss.markdown, '**output** `out_b` of `Two` · Dense · shape `(None, 3)` · 27 params');
    assert.equal(analysis.text.slice(loss.range.pos, loss.range.end), 'out_b');
    assert.equal(getHover(analysis, unknownKey), undefined);
  });
});
