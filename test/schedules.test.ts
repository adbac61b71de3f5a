/**
 * Learning-rate schedules and the plateau monitors, as Keras 2 defines them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, type TrainBlock } from '../core';
import { autoMode, BestTracker, defaultBestRule, EarlyStopping, ReduceLROnPlateau } from '../trainer/monitors';
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

  /** Each epoch's decision, in order, as `improved`, `stop` or `wait`. */
  const decisions = (early: EarlyStopping, monitor: string, values: number[]) =>
    values.map((value, i) => {
      const decision = early.onEpochEnd(i + 1, { [monitor]: value });
      return decision.stop ? 'stop' : decision.improved ? 'improved' : 'wait';
    });

  it('EarlyStopping stops after `patience` epochs without improvement and remembers the best epoch', () => {
    const early = new EarlyStopping(callback('EarlyStopping(monitor=val_loss, patience=2, restore_best_weights=true)'));
    assert.deepEqual(decisions(early, 'val_loss', [1.0, 0.8, 0.85, 0.9]), ['improved', 'improved', 'wait', 'stop']);
    assert.deepEqual(early.best.best, { monitor: 'val_loss', mode: 'min', minDelta: 0, epoch: 2, value: 0.8 });
  });

  it('EarlyStopping on accuracy wants it to rise (mode auto), as Keras decides for names ending in acc or accuracy', () => {
    const early = new EarlyStopping(callback('EarlyStopping(monitor=val_acc, patience=1)'));
    assert.deepEqual(decisions(early, 'val_acc', [0.5, 0.6, 0.55]), ['improved', 'improved', 'stop']);
    assert.equal(early.best.best?.epoch, 2);
    assert.equal(early.best.rule.mode, 'max');
    assert.deepEqual(['acc', 'val_acc', 'val_categorical_accuracy', 'auc', 'val_precision', 'recall'].map(autoMode), Array(6).fill('max'));
    assert.deepEqual(['loss', 'val_loss', 'mse', 'val_mae'].map(autoMode), Array(4).fill('min'));
    // mode given outright wins over the name.
    assert.equal(new EarlyStopping(callback('EarlyStopping(monitor=val_acc, mode=min)')).best.rule.mode, 'min');
  });

  it('EarlyStopping counts an improvement only when it beats the best by more than min_delta (Keras\'s rule)', () => {
    const early = new EarlyStopping(callback('EarlyStopping(monitor=val_loss, patience=3, min_delta=0.1)'));
    // 0.85 and 0.81 are lower, but not by more than 0.1 below the best (0.9): the best stays at epoch 1 until 0.7.
    assert.deepEqual(decisions(early, 'val_loss', [0.9, 0.85, 0.81, 0.7, 0.65, 0.62, 0.61]), ['improved', 'wait', 'wait', 'improved', 'wait', 'wait', 'stop']);
    assert.deepEqual(early.best.best, { monitor: 'val_loss', mode: 'min', minDelta: 0.1, epoch: 4, value: 0.7 });
    const rising = new EarlyStopping(callback('EarlyStopping(monitor=val_acc, patience=2, min_delta=0.05)'));
    assert.deepEqual(decisions(rising, 'val_acc', [0.5, 0.54, 0.56, 0.6]), ['improved', 'wait', 'improved', 'wait']);
    assert.equal(rising.best.best?.epoch, 3);
  });

  it('EarlyStopping tracks the best epoch whatever the baseline, waiting again only for an epoch that beats the baseline too', () => {
    const early = new EarlyStopping(callback('EarlyStopping(monitor=val_loss, patience=4, baseline=0.5)'));
    // Never under 0.5: the wait runs on through the improvements, and the best epoch is still the lowest.
    assert.deepEqual(decisions(early, 'val_loss', [0.9, 0.8, 0.85, 0.7]), ['improved', 'improved', 'wait', 'improved']);
    assert.deepEqual(early.onEpochEnd(5, { val_loss: 0.75 }), { improved: false, stop: true });
    assert.equal(early.best.best?.epoch, 4);
  });

  it('an epoch without the monitored quantity is not counted; NaN counts as no improvement', () => {
    const early = new EarlyStopping(callback('EarlyStopping(monitor=val_loss, patience=1)'));
    assert.equal(early.onEpochEnd(1, { val_loss: 1 }).improved, true);
    // A stopped epoch's logs have no validation values.
    assert.deepEqual(early.onEpochEnd(2, { loss: 0.5 }), { improved: false, stop: false });
    assert.deepEqual(early.onEpochEnd(3, { val_loss: Number.NaN }), { improved: false, stop: true });
    assert.equal(early.best.best?.epoch, 1);
  });

  it('the best epoch without EarlyStopping: val_loss (loss without validation), falling, any drop counts', () => {
    assert.deepEqual(defaultBestRule(true), { monitor: 'val_loss', mode: 'min', minDelta: 0 });
    assert.deepEqual(defaultBestRule(false), { monitor: 'loss', mode: 'min', minDelta: 0 });
    const best = new BestTracker(defaultBestRule(true));
    // The partial epoch of a stop has only the training loss: it is passed over, not compared with val_loss.
    const epochs: Record<string, number>[] = [{ val_loss: 1, loss: 2 }, { val_loss: 0.999999, loss: 1.5 }, { val_loss: 1.2, loss: 1 }, { loss: 0.1 }];
    const offered = epochs.map((logs, i) => best.offer(i + 1, logs));
    assert.deepEqual(offered, [true, true, false, false]);
    assert.equal(best.best?.epoch, 2);
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

  it('ReduceLROnPlateau compares as EarlyStopping does: by more than min_delta, upwards for accuracy', () => {
    const plateau = new ReduceLROnPlateau(callback('ReduceLROnPlateau(monitor=val_acc, factor=0.5, patience=1, min_delta=0.05)'));
    let lr = 0.1;
    const rates: number[] = [];
    // 0.53 rises, but by no more than 0.05: a plateau; 0.7 is an improvement.
    for (const value of [0.5, 0.53, 0.7, 0.6]) {
      lr = plateau.onEpochEnd({ val_acc: value }, lr) ?? lr;
      rates.push(lr);
    }
    assert.deepEqual(rates, [0.1, 0.05, 0.05, 0.025]);
  });
});
