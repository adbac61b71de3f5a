/**
 * The formatter: the canonical style on small cases, and on every example
 * and fixture without syntax errors: idempotent, every token and comment
 * kept, and the same diagnostics and parameter counts after formatting.
 */
import assert from 'node:assert/strict';
import { applyEdits } from './cursor';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../core';
import { formatDocument } from '../../core/features/formatting';
import { scanText } from '../../core/syntax/scanner';
import { netFiles, projectExamples, read, repoRoot, sharedExamples } from '../support';

const SYNTAX_ERRORS = ['unexpected-token', 'unterminated-string', 'invalid-character', 'invalid-number'];


function format(text: string): string {
  const edits = formatDocument(analyze(text));
  assert.ok(edits, 'the formatter refused');
  return applyEdits(text, edits);
}

/** Kinds and texts of every token and comment, in order. */
function tokenSequence(text: string): string[] {
  const { tokens, comments } = scanText(text);
  return [...tokens.map((token) => ({ pos: token.pos, text: `${token.kind}:${token.text}` })), ...comments.map((comment) => ({ pos: comment.pos, text: `#:${comment.text}` }))]
    .sort((a, b) => a.pos - b.pos)
    .map((element) => element.text);
}

const codes = (analysis: Analysis): string[] => analysis.diagnostics.map((diagnostic) => diagnostic.code);
const totals = (analysis: Analysis): unknown[] => analysis.models.map((model) => model.network.params);

describe('formatting', () => {
  it('lays out a messy file in the canonical style', () => {
    const messy = [
      '',
      '# header one',
      '# header two',
      '',
      '',
      '',
      'model   Small{input x:[ 2 ]',
      '    a=x->Dense( 8 ,activation = relu )->Dropout(0.5)   # trailing',
      '        # own line comment',
      '',
      '',
      '',
      '  b = a',
      '  -> Dense(4)# glued',
      '  output ( a , b )->Concatenate( )->Dense(2*3+1, name = "out") }',
      '# between',
      'train Small{data=xor() loss=binary_crossentropy',
      'optimizer=SGD(learning_rate=1/10,momentum=-0.5)',
      '  callbacks = [ # first',
      '      EarlyStopping(monitor=val_loss),',
      '',
      '      ReduceLROnPlateau(factor=0.5) ,',
      '  ]',
      '    # end of train',
      '}',
      'model Empty {   }',
      '',
      '',
      '# the end',
      '',
      '',
    ].join('\n');
    const expected = [
      '# header one',
      '# header two',
      '',
      'model Small {',
      '  input x: [2]',
      '  a = x -> Dense(8, activation=relu) -> Dropout(0.5)   # trailing',
      '  # own line comment',
      '',
      '  b = a',
      '    -> Dense(4)  # glued',
      '  output (a, b) -> Concatenate() -> Dense(2*3 + 1, name="out")',
      '}',
      '',
      '# between',
      'train Small {',
      '  data      = xor()',
      '  loss      = binary_crossentropy',
      '  optimizer = SGD(learning_rate=1/10, momentum=-0.5)',
      '  callbacks = [  # first',
      '    EarlyStopping(monitor=val_loss),',
      '    ReduceLROnPlateau(factor=0.5),',
      '  ]',
      '  # end of train',
      '}',
      '',
      'model Empty {}',
      '',
      '# the end',
      '',
    ].join('\n');
    assert.equal(format(messy), expected);
    assert.deepEqual(formatDocument(analyze(expected)), []);
  });

  it('breaks a pipeline that does not fit in 100 columns before each arrow', () => {
    const long = `model M {\n  input x: [8]\n  y = x -> ${Array(6).fill('Dense(16, activation=relu)').join(' -> ')}\n}\n`;
    const steps = Array(6).fill('    -> Dense(16, activation=relu)').join('\n');
    assert.equal(format(long), `model M {\n  input x: [8]\n  y = x\n${steps}\n}\n`);
    const short = 'model M {\n  input x: [8]\n  y = x -> Dense(16) -> Dense(2)\n}\n';
    assert.equal(format(short), short);
  });

  it('puts one element per line in brackets that spanned lines, and joins those that did not', () => {
    const text = 'model M {\n  input x: [4, 2]\n  x -> Bidirectional(LSTM(3,\n  return_sequences=true)) -> Flatten()\n}\n';
    assert.equal(format(text), 'model M {\n  input x: [4, 2]\n  x -> Bidirectional(\n    LSTM(\n      3,\n      return_sequences=true\n    )\n  ) -> Flatten()\n}\n');
  });

  it('keeps the line endings of the file and its byte-order mark', () => {
    assert.equal(format('\ufeffmodel M {\r\n\tinput [2]\r\n\tDense(1)\r\n}'), '\ufeffmodel M {\r\n  input [2]\r\n  Dense(1)\r\n}\r\n');
  });

  it('gives an empty text for an empty file and one line break after the last line', () => {
    assert.equal(format(' \n\n'), '');
    assert.equal(format('# only a comment'), '# only a comment\n');
  });

  it('refuses files with syntax errors', () => {
    for (const text of ['model M {\n  input x: [4\n}', 'model M { input [2] Dense(1) § }', 'train T {\n  data = csv("x)\n}', 'model M {\n  input [2]\n  Dense(3x)\n}']) {
      assert.equal(formatDocument(analyze(text)), undefined, text);
    }
  });

  for (const path of corpus()) {
    const text = read(path);
    const analysis = analyze(text);
    if (analysis.diagnostics.some((diagnostic) => SYNTAX_ERRORS.includes(diagnostic.code))) {
      it(`refuses ${basename(path)}, which has syntax errors`, () => assert.equal(formatDocument(analysis), undefined));
      continue;
    }
    it(`formats ${basename(path)} idempotently, keeping every token, diagnostic and count`, () => {
      const formatted = format(text);
      assert.deepEqual(formatDocument(analyze(formatted)), []);
      assert.deepEqual(tokenSequence(formatted), tokenSequence(text));
      const reanalysed = analyze(formatted);
      assert.deepEqual(codes(reanalysed), codes(analysis));
      assert.deepEqual(totals(reanalysed), totals(analysis));
    });
  }

  it('formats random edits of the examples idempotently, keeping every token, diagnostic and count', () => {
    const texts = corpus().map(read);
    const pieces = [' ', '\n', '\n\n\n', '\t', ' # note\n', '\n# own line\n', 'model', 'train', 'output', 'x', ',', '(', ')', '[', ']', '->', '=', '-', '1', 'Dense(3)'];
    const edit = fc.tuple(fc.nat(), fc.constantFrom(...pieces), fc.boolean());
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 }), (index, edits) => {
        let text = texts[index]!;
        for (const [at, piece, remove] of edits) {
          const pos = at % (text.length + 1);
          text = remove ? text.slice(0, pos) + text.slice(pos + piece.length) : text.slice(0, pos) + piece + text.slice(pos);
        }
        const analysis = analyze(text);
        const formatting = formatDocument(analysis);
        if (!formatting) return;
        const formatted = applyEdits(text, formatting);
        const reanalysed = analyze(formatted);
        assert.deepEqual(formatDocument(reanalysed), []);
        assert.deepEqual(tokenSequence(formatted), tokenSequence(text));
        assert.deepEqual(codes(reanalysed), codes(analysis));
        assert.deepEqual(totals(reanalysed), totals(analysis));
      }),
      { seed: 20261127, numRuns: 1000 },
    );
  });

  it('never throws and edits only within the text, for every prefix of every example', () => {
    for (const path of corpus()) {
      const text = read(path);
      for (let cut = 0; cut <= text.length; cut += 7) {
        const prefix = text.slice(0, cut);
        const edits = formatDocument(analyze(prefix));
        for (const { range } of edits ?? []) assert.ok(0 <= range.pos && range.pos <= range.end && range.end <= prefix.length);
        if (edits) assert.deepEqual(tokenSequence(applyEdits(prefix, edits)), tokenSequence(prefix));
      }
    }
  });
});

function corpus(): string[] {
  return [sharedExamples, projectExamples, join(projectExamples, 'errors'), join(repoRoot, 'test', 'fixtures')].flatMap(netFiles);
}
