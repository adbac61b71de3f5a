/**
 * Learning-rate schedules and the plateau monitors, as Keras 2 defines them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, type TrainBlock } from '../core';
import { EarlyStopping, ReduceLROnPlateau } from '../trainer/monitors';
import { createSchedule } from '../trainer/optimizers';

function block(settings: string): TrainBlock {
  const analysis = analyze(`model M {\n  input [2]\n  Dense(2, activation=softmax)\n}\ntrain M {\n  data = xor()\n  loss = categorical_crossentropy\n  validation = 0.5\n  metrics = [accuracy]\n  ${settings}\n}\n`);
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  return analysis.trainBlocks[0]!;
}

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('schedules', () => {
  it('ExponentialDecay: smooth, or in whole steps with staircase', () => {
    const smooth = createSchedule(block('schedule = ExponentialDecay(decay_steps=10, decay_rate=0.5)').schedule, 0.1)!;
    close(smooth(0, 0), 0.1);
    close(smooth(5, 0), 0.1 * Math.sqrt(0.5));
    close(smooth(20, 3), 0.025);
    const stairs = createSchedule(block('schedule = ExponentialDecay(0.2, decay_steps=10, decay_rate=0.5, staircase=true)').schedule, 0.1)!;
    close(stairs(9, 0), 0.2);
    close(stairs(10, 0), 0.1);
  });

  it('StepDecay by epochs and CosineDecay down to alpha', () => {
    const step = createSchedule(block('schedule = StepDecay(factor=0.1, every=3)').schedule, 1)!;
    assert.deepEqual([0, 2, 3, 6].map((epoch) => step(0, epoch)), [1, 1, 0.1, 0.1 * 0.1]);
    const cosine = createSchedule(block('schedule = CosineDecay(decay_steps=100, alpha=0.1)').schedule, 1)!;
    close(cosine(0, 0), 1);
    close(cosine(50, 0), 0.55);
    close(cosine(100, 0), 0.1);
    close(cosine(500, 0), 0.1);
  });
});

describe('monitors', () => {
  const callback = (text: string) => block(`callbacks = [${text}]`).callbacks[0]!.args;

  it('EarlyStopping stops after `patience` epochs without improvement and remembers the best epoch', () => {
    const early = new EarlyStopping(callback('EarlyStopping(monitor=val_loss, patience=2, restore_best_weights=true)'));
    const losses = [1.0, 0.8, 0.85, 0.9];
    const decisions = losses.map((value, epoch) => early.onEpochEnd(epoch, { val_loss: value }).kind);
    assert.deepEqual(decisions, ['continue', 'continue', 'continue', 'stop']);
    assert.equal(early.bestEpoch, 1);
  });

  it('EarlyStopping on accuracy wants it to rise (mode auto)', () => {
    const early = new EarlyStopping(callback('EarlyStopping(monitor=val_acc, patience=1)'));
    assert.equal(early.onEpochEnd(0, { val_acc: 0.5 }).kind, 'continue');
    assert.deepEqual(early.onEpochEnd(1, { val_acc: 0.6 }), { kind: 'continue', improved: true });
    assert.equal(early.onEpochEnd(2, { val_acc: 0.55 }).kind, 'stop');
  });

  it('ReduceLROnPlateau multiplies by factor after patience, then cools down, never under min_lr', () => {
    const plateau = new ReduceLROnPlateau(callback('ReduceLROnPlateau(monitor=val_loss, factor=0.5, patience=2, cooldown=1, min_lr=0.02)'));
    let lr = 0.1;
    const rates: number[] = [];
    for (const value of [1, 1, 1, 1, 1, 1, 1, 1]) {
      lr = plateau.onEpochEnd({ val_loss: value }, lr) ?? lr;
      rates.push(lr);
    }
    assert.deepEqual(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]);
  });
});
