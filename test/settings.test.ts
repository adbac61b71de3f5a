/**
 * Train settings are data: each int and bool setting of the catalog names
 * the train block's field it fills and that field's default, which is the
 * default the docs and hovers print; the checker fills the block from the
 * catalog alone, and the trainer reads the block.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, OPTIMIZERS, SETTINGS, type TrainBlock } from '../core';

const MODEL = 'model M {\n  input [2]\n  Dense(1, activation=sigmoid)\n}\n';
const block = (settings: string): TrainBlock => {
  const analysis = analyze(`${MODEL}train M {\n  data = xor()\n  loss = binary_crossentropy\n${settings}}\n`);
  assert.deepEqual(analysis.diagnostics.map((d) => d.code), []);
  return analysis.trainBlocks[0]!;
};
const scalars = SETTINGS.filter((spec) => spec.kind === 'int' || spec.kind === 'bool');

describe('train settings as data', () => {
  it('every int and bool setting names its field, and its printed default is its value', () => {
    assert.ok(scalars.length >= 5, scalars.map((spec) => spec.name).join(', '));
    for (const spec of scalars) {
      assert.ok(spec.target, `${spec.name} names no field`);
      assert.equal(spec.default, spec.value === undefined ? 'none' : String(spec.value), spec.name);
      assert.equal(typeof (spec.value ?? (spec.kind === 'int' ? 0 : false)), spec.kind === 'int' ? 'number' : 'boolean', spec.name);
    }
    assert.equal(new Set(scalars.map((spec) => spec.target)).size, scalars.length, 'two settings fill one field');
  });

  it('a block without them has each field at the catalog\'s value', () => {
    const checked = block('') as unknown as Record<string, unknown>;
    for (const spec of scalars) assert.equal(checked[spec.target!], spec.value, spec.name);
  });

  it('each setting fills its own field and no other', () => {
    for (const spec of scalars) {
      const written = spec.kind === 'bool' ? !(spec.value as boolean) : ((spec.value as number | undefined) ?? 0) + 3;
      const checked = block(`  ${spec.name} = ${String(written)}\n`) as unknown as Record<string, unknown>;
      for (const other of scalars) assert.equal(checked[other.target!], other === spec ? written : other.value, `${spec.name} = ${String(written)}: ${other.name}`);
    }
  });

  it('a block without an optimizer has the one the catalog names, with that optimizer\'s own defaults; a bad one falls back to it', () => {
    const spec = SETTINGS.find((setting) => setting.kind === 'optimizer')!;
    assert.equal(spec.default, `${String(spec.value)}()`);
    const named = OPTIMIZERS.find((optimizer) => optimizer.name === spec.value)!;
    const defaults = Object.fromEntries(named.params.filter((param) => param.default !== undefined).map((param) => [param.name, param.default]));
    const checked = block('').optimizer;
    assert.equal(checked.spec.name, named.name);
    assert.deepEqual(checked.args.values, defaults);
    assert.ok(Object.keys(defaults).includes('learning_rate'));
    const analysis = analyze(`${MODEL}train M {\n  data = xor()\n  loss = binary_crossentropy\n  optimizer = Adamm()\n}\n`);
    assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['unknown-optimizer']);
    assert.equal(analysis.trainBlocks[0]!.optimizer.spec.name, named.name);
    assert.equal(block('  optimizer = SGD(learning_rate=0.5)\n').optimizer.args.values['learning_rate'], 0.5);
  });
});
