/**
 * The training panel's numbers without a page: `RunState` from
 * webview/runState.mts, fed trainer events in the protocol's shape. Each
 * expected value is worked out here from the events themselves (the EMA in
 * its closed form, the buckets by slicing the batch values), not read back
 * from the code under test.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { BatchEvent, DistributionsEvent, EpochEvent, EvaluationEvent, FinishedEvent, TrainerEvent, WarningEvent } from '../protocol/training';
import { startedEvent, syntheticRun } from './webviewStreams';

type RunStateModule = typeof import('../webview/runState.mjs', { with: { 'resolution-mode': 'import' } });
type RunState = InstanceType<RunStateModule['RunState']>;

let runState: RunStateModule;
before(async () => {
  runState = await import('../webview/runState.mjs');
});

/** A fresh state after every event applied, synced as the page syncs once per frame. */
function applyAll(events: TrainerEvent[], smoothing = 0.6): RunState {
  const state = new runState.RunState(smoothing);
  for (const event of events) state.apply(event);
  state.sync();
  return state;
}

/** The debiased EMA of `values` at their last one, in closed form: Σ (1-s)·s^(n-1-k)·v_k / (1 - s^n). */
function debiasedEma(values: number[], s: number): number {
  const n = values.length;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += (1 - s) * s ** (n - 1 - k) * values[k]!;
  return sum / (1 - s ** n);
}

function near(actual: number | null | undefined, expected: number, message?: string): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${message ?? ''} ${actual} ≠ ${expected}`);
}

const batch = (model: string, epoch: number, b: number, loss: number, member?: number): BatchEvent =>
  ({ type: 'batch', model, ...(member === undefined ? {} : { member }), epoch, batch: b, metrics: { loss } });

describe('RunState', () => {
  it('keeps the models of a block and the members of an ensemble side by side, in the order they started', () => {
    const single = syntheticRun({ model: 'Single', epochs: 3, batchesPerEpoch: 2 });
    // A second model planning more epochs and more batches per epoch.
    const pair = syntheticRun({ model: 'Pair', epochs: 5, batchesPerEpoch: 4, members: 2 });
    const secondMember = pair.findIndex((e) => e.type === 'started' && e.member === 1);

    const state = applyAll([...single, ...pair.slice(0, secondMember)]);
    assert.deepEqual(state.models, ['Single', 'Pair']);
    assert.equal(state.multiModel, true);
    assert.equal(state.ensemble, true);
    // The first member's end is not the block's end while the second is to come.
    assert.equal(state.done, false);
    for (const event of pair.slice(secondMember)) state.apply(event);
    state.sync();
    assert.equal(state.done, true);

    assert.deepEqual(state.members.map((m) => [m.model, m.index, m.members, m.perEpoch]), [['Single', 0, 1, 2], ['Pair', 0, 2, 4], ['Pair', 1, 2, 4]]);
    assert.deepEqual(state.membersOf('Pair').map((m) => m.index), [0, 1]);
    assert.deepEqual(state.membersOf('Missing'), []);
    assert.equal(state.anyEnsemble, true);
    // The layout grew to the larger model's epochs; its batches per epoch stay the first model's.
    assert.equal(state.layout!.epochs, 5);
    assert.equal(state.layout!.perEpoch, 2);

    // Every member's epoch values are its own epoch events' values.
    for (const member of state.members) {
      const own = [...single, ...pair].filter((e): e is EpochEvent => e.type === 'epoch' && e.model === member.model && (e.member ?? 0) === member.index);
      assert.deepEqual(member.epoch.get('loss')!.values, own.map((e) => e.metrics['loss']));
      assert.deepEqual(member.epochs, own);
      assert.equal(member.finished?.model, member.model);
    }
    // The first model's batches keep their slots after the layout grew: batch b of epoch e at (e - 1) · 2 + b - 1.
    const singleLoss = single.filter((e): e is BatchEvent => e.type === 'batch').map((e) => e.metrics['loss']!);
    assert.deepEqual([...state.members[0]!.batch.get('loss')!.raw.subarray(0, 6)], singleLoss);
    // Four batches an epoch on two slots: each slot holds the last batch at its fraction of the epoch (2 and 4).
    const pairRaw = state.members[1]!.batch.get('loss')!;
    const pairBatches = pair.filter((e): e is BatchEvent => e.type === 'batch' && e.member === 0);
    assert.equal(pairRaw.count, 5 * 2);
    assert.deepEqual([...pairRaw.raw.subarray(0, 2)], [pairBatches[1]!.metrics['loss'], pairBatches[3]!.metrics['loss']]);
    // The charts: loss first, then metrics alphabetically, the learning rate last.
    assert.deepEqual(state.chartNames(), ['loss', 'acc', 'learning rate']);
  });

  it('smooths the batch line with a debiased EMA, and keeps the raw line', () => {
    const values = [2, 1.5, 1.8, 1.1, 0.9, 1.2];
    const events: TrainerEvent[] = [startedEvent({ model: 'M', epochs: 2, batchesPerEpoch: 3 })];
    values.forEach((value, i) => events.push(batch('M', Math.floor(i / 3) + 1, (i % 3) + 1, value)));
    const state = applyAll(events, 0.6);
    const series = state.current!.batch.get('loss')!;
    const layout = state.layout!;

    assert.equal(layout.rowsPerBucket, 1);
    assert.deepEqual(layout.x.map((x) => x * 3), [1, 2, 3, 4, 5, 6]);
    assert.equal(series.count, 6);
    assert.deepEqual(series.rawShown, values);
    values.forEach((_, i) => near(series.smoothShown[i], debiasedEma(values.slice(0, i + 1), 0.6), `smoothed ${i}`));
    // Debiased: the first point is the first value, not 0.4 of it.
    near(series.smoothShown[0], 2);
    near(series.lastSmoothed(), debiasedEma(values, 0.6));

    // Without smoothing the smoothed line is the raw line; more smoothing is worked out again over every value.
    state.setSmoothing(0);
    state.sync();
    assert.deepEqual(series.smoothShown, values);
    state.setSmoothing(0.9);
    state.sync();
    values.forEach((_, i) => near(series.smoothShown[i], debiasedEma(values.slice(0, i + 1), 0.9), `smoothed at 0.9, ${i}`));

    // A value sent again for an earlier batch replaces it, and the line after it follows.
    state.apply(batch('M', 1, 2, 3));
    state.sync();
    const replaced = [2, 3, 1.8, 1.1, 0.9, 1.2];
    assert.deepEqual(series.rawShown, replaced);
    assert.equal(series.count, 6);
    near(series.lastSmoothed(), debiasedEma(replaced, 0.9));

    // On a log scale the values that are not positive are not drawn, and counted.
    state.apply(batch('M', 2, 3, 0));
    state.setLog(true);
    state.sync();
    assert.equal(series.nonPositive, 1);
    assert.equal(series.rawShown[5], null);
    assert.deepEqual(series.rawShown.slice(0, 5), replaced.slice(0, 5));
  });

  it('draws a run longer than the chart is wide as buckets of min and max, in the order they occurred', () => {
    const epochs = 3;
    const perEpoch = 1000;
    const value = (i: number) => 1 + Math.sin(i * 0.37) + i / 1000;
    const events: TrainerEvent[] = [startedEvent({ model: 'Long', epochs, batchesPerEpoch: perEpoch })];
    for (let i = 0; i < epochs * perEpoch; i++) events.push(batch('Long', Math.floor(i / perEpoch) + 1, (i % perEpoch) + 1, value(i)));
    const state = applyAll(events, 0);
    const layout = state.layout!;
    const series = state.current!.batch.get('loss')!;

    // 3,000 batches over at most 1,024 buckets: 3 batches a bucket, so 333 buckets an epoch, two rows each.
    assert.equal(runState.MAX_BUCKETS, 1024);
    const buckets = Math.floor(perEpoch / Math.ceil((epochs * perEpoch) / runState.MAX_BUCKETS));
    assert.equal(buckets, 333);
    assert.equal(layout.rows, epochs * buckets * 2);
    assert.equal(series.rawShown.length, layout.rows);

    const expected: number[] = [];
    const xs: number[] = [];
    for (let e = 0; e < epochs; e++) {
      for (let j = 0; j < buckets; j++) {
        const from = Math.floor((j * perEpoch) / buckets);
        const to = Math.floor(((j + 1) * perEpoch) / buckets);
        const slice = Array.from({ length: to - from }, (_, k) => value(e * perEpoch + from + k));
        const min = Math.min(...slice);
        const max = Math.max(...slice);
        expected.push(...(slice.indexOf(min) <= slice.indexOf(max) ? [min, max] : [max, min]));
        xs.push(e + (from + 1) / perEpoch, e + to / perEpoch);
      }
    }
    assert.deepEqual(series.rawShown, expected);
    assert.deepEqual(layout.x, xs);
    // Both orders occur, and each epoch ends on the row whose x is the epoch.
    assert.ok(expected.some((v, i) => i % 2 === 0 && v > expected[i + 1]!) && expected.some((v, i) => i % 2 === 0 && v < expected[i + 1]!));
    for (let e = 1; e <= epochs; e++) assert.equal(layout.x[layout.epochRow(e)], e);

    // The page's longest replay: 50 epochs of 1,000 batches draw 2,000 rows, within two per bucket.
    const long = new runState.Layout(50, 1000);
    assert.equal(long.rows, 50 * Math.floor(1000 / Math.ceil(50_000 / 1024)) * 2);
    assert.ok(long.rows <= 2 * runState.MAX_BUCKETS);
    // A short run is drawn batch by batch.
    assert.equal(new runState.Layout(2, 1000).rows, 2000);
  });

  it('marks the best epoch the trainer names, never one of its own', () => {
    const started = startedEvent({ model: 'M', epochs: 3, batchesPerEpoch: 1 });
    // val_loss is lowest at epoch 3, but the trainer monitors val_acc, best at epoch 2.
    const valAcc = [0.5, 0.9, 0.8];
    const epoch = (e: number, best: number): EpochEvent => ({
      type: 'epoch', model: 'M', epoch: e, epochs: 3, metrics: { loss: 1 / e, val_loss: 1 / e, val_acc: valAcc[e - 1]! }, learningRate: 0.01, seconds: 1, samplesPerSecond: 10,
      best: { monitor: 'val_acc', mode: 'max', minDelta: 0, epoch: best, value: valAcc[best - 1]! },
    });
    const state = new runState.RunState();
    state.apply(started);
    assert.equal(state.current!.best, undefined);
    const live: unknown[] = [];
    for (const [e, best] of [[1, 1], [2, 2], [3, 2]] as const) {
      state.apply(epoch(e, best));
      live.push(state.current!.best);
    }
    assert.deepEqual(live, [{ epoch: 1, metric: 'val_acc', value: 0.5 }, { epoch: 2, metric: 'val_acc', value: 0.9 }, { epoch: 2, metric: 'val_acc', value: 0.9 }]);

    const finished: FinishedEvent = {
      type: 'finished', model: 'M', reason: 'early-stopping', epochs: 3, bestEpoch: 2, restored: true, metrics: {},
      best: { monitor: 'val_acc', mode: 'max', minDelta: 0, epoch: 2, value: 0.9 },
      artifacts: { runDir: '/r', history: 'h', settings: 's', summary: 'm', model: 'model.json' },
    };
    state.apply(finished);
    assert.deepEqual(state.current!.best, { epoch: 2, metric: 'val_acc', value: 0.9, restored: true });
    // A run stored without its rule still names its epoch; one that names none has none.
    const withoutRule: FinishedEvent = { ...finished, restored: false };
    delete withoutRule.best;
    state.apply(withoutRule);
    assert.deepEqual(state.current!.best, { epoch: 2, metric: '', value: undefined, restored: false });
    state.apply({ ...withoutRule, bestEpoch: 0 });
    assert.equal(state.current!.best, undefined);
  });

  it('finds the spans where val_loss rises while loss falls for at least two epochs in a row', () => {
    assert.equal(runState.MIN_OVERFIT_STEPS, 2);
    // val_loss rises while loss falls at epoch 3 (alone), 6 to 9 and 11 to 12; at 13 and 14 loss rises too.
    const validation = [1.0, 0.8, 0.85, 0.6, 0.5, 0.55, 0.6, 0.65, 0.7, 0.6, 0.65, 0.7, 0.75, 0.8];
    const loss = (e: number) => (e <= 12 ? 1 / e : 0.1 * (e - 11));
    const spans = (epochs: number) => {
      const state = applyAll(syntheticRun({ epochs, batchesPerEpoch: 1, epoch: (_m, e) => ({ loss: loss(e), val_loss: validation[e - 1]! }) }));
      return runState.overfitSpans(state.current);
    };
    // A span runs from the epoch before its first rise to its last.
    assert.deepEqual(spans(14), [{ from: 5, to: 9 }, { from: 10, to: 12 }]);
    assert.equal(runState.formatSpans(spans(14)), '5-9,10-12');
    assert.deepEqual(spans(10), [{ from: 5, to: 9 }]);
    // A span still rising at the last epoch ends there.
    assert.deepEqual(spans(8), [{ from: 5, to: 8 }]);
    assert.deepEqual(spans(3), []);
    // Without validation data, or without a member, there is nothing to shade.
    assert.deepEqual(runState.overfitSpans(applyAll(syntheticRun({ epochs: 4, batchesPerEpoch: 1, epoch: (_m, e) => ({ loss: 1 / e }) })).current), []);
    assert.deepEqual(runState.overfitSpans(undefined), []);
  });

  it('shows each warning once, per model', () => {
    const warning = (model: string, message: string): WarningEvent => ({ type: 'warning', model, message });
    const state = applyAll([
      startedEvent({ model: 'A', epochs: 1, batchesPerEpoch: 1 }),
      warning('A', 'only one class'),
      warning('A', 'only one class'),
      warning('B', 'only one class'),
      warning('A', 'another'),
      warning('A', 'only one class'),
    ]);
    assert.deepEqual(state.warnings.map((w) => `${w.model}: ${w.message}`), ['A: only one class', 'B: only one class', 'A: another']);
  });

  it('starts afresh when a member that already started starts again', () => {
    const first = syntheticRun({ model: 'A', epochs: 2, batchesPerEpoch: 2 });
    const evaluation: EvaluationEvent = { type: 'evaluation', model: 'A', on: 'validation', classes: [0, 1], confusion: [[1, 0], [0, 1]], worst: [] };
    const state = applyAll([...first, evaluation, { type: 'failed', model: 'A', message: 'late' }]);
    assert.equal(state.evaluations.length, 1);
    assert.equal(state.done, true);

    state.apply(startedEvent({ model: 'A', epochs: 7, batchesPerEpoch: 3 }));
    assert.deepEqual(state.models, ['A']);
    assert.equal(state.members.length, 1);
    assert.deepEqual(state.current!.epochs, []);
    assert.equal(state.current!.batch.size, 0);
    assert.deepEqual(state.evaluations, []);
    assert.equal(state.failed, undefined);
    assert.equal(state.finished, undefined);
    assert.equal(state.done, false);
    assert.deepEqual([state.layout!.epochs, state.layout!.perEpoch], [7, 3]);
    assert.deepEqual(state.chartNames(), []);
  });

  it("keeps each epoch's layer distributions for the Layers tab, and drops them when the run starts afresh", () => {
    const distributions = (epoch: number): DistributionsEvent => ({ type: 'distributions', model: 'A', epoch, sample: { on: 'train', indices: [0, 1] }, layers: [], seconds: 0 });
    const state = applyAll([...syntheticRun({ model: 'A', epochs: 2, batchesPerEpoch: 1 }), distributions(1), distributions(2)]);
    assert.deepEqual(state.distributions.map((event) => event.epoch), [1, 2]);
    state.apply(startedEvent({ model: 'A', epochs: 2, batchesPerEpoch: 1 }));
    assert.deepEqual(state.distributions, []);
  });

  it('holds the same numbers after a replay as after the live run, and after a replay that follows it', () => {
    const withExtras = (events: TrainerEvent[]): TrainerEvent[] => events.flatMap((event): TrainerEvent[] => event.type !== 'finished' ? [event] : [
      { type: 'evaluation', model: event.model, ...(event.member === undefined ? {} : { member: event.member }), on: 'validation', classes: [0, 1], confusion: [[3, 1], [0, 4]], worst: [] },
      event,
    ]);
    const stream = [
      ...withExtras(syntheticRun({ model: 'Solo', epochs: 4, batchesPerEpoch: 3 })),
      { type: 'warning', model: 'Pair', message: 'only one class' } satisfies WarningEvent,
      ...withExtras(syntheticRun({ model: 'Pair', epochs: 6, batchesPerEpoch: 5, members: 2 })),
    ];
    // Live: one event at a time, a frame after each.
    const live = new runState.RunState(0.7);
    for (const event of stream) {
      live.apply(event);
      live.sync();
    }
    const replayed = applyAll(stream, 0.7);
    assert.deepEqual(numbers(replayed), numbers(live));
    // The events again after the live ones, as a panel reopened on the run receives them.
    for (const event of stream) live.apply(event);
    live.sync();
    assert.deepEqual(numbers(live), numbers(replayed));
    assert.equal(live.warnings.length, 1);
    assert.equal(numbers(live).members.length, 3);
  });
});

/** Everything the page draws or tells from a state, as plain data. */
function numbers(state: RunState) {
  return {
    models: state.models,
    layout: { epochs: state.layout?.epochs, perEpoch: state.layout?.perEpoch, x: state.layout?.x },
    members: state.members.map((member) => ({
      model: member.model, index: member.index, members: member.members,
      epochs: member.epochs, finished: member.finished, best: member.best,
      batch: [...member.batch].map(([name, s]) => ({ name, raw: [...s.raw], smooth: [...s.smooth], rawShown: s.rawShown, smoothShown: s.smoothShown, count: s.count })),
      epoch: [...member.epoch].map(([name, s]) => ({ name, values: s.values, shown: s.shown, count: s.count })),
      spans: runState.overfitSpans(member),
    })),
    warnings: state.warnings,
    evaluations: state.evaluations,
    finished: state.finished,
    done: state.done,
    chartNames: state.chartNames(),
    xMax: state.xMax(),
  };
}

describe('RunState: several outputs', () => {
  it('charts each output\'s loss and metrics by their Keras names, each with its val_ twin', () => {
    const metrics = (epoch: number): Record<string, number> => ({
      loss: 1 / epoch, out_a_loss: 0.6 / epoch, out_b_loss: 0.4 / epoch, out_a_acc: 1 - 0.1 / epoch,
      val_loss: 1.1 / epoch, val_out_a_loss: 0.7 / epoch, val_out_b_loss: 0.4 / epoch, val_out_a_acc: 1 - 0.2 / epoch,
    });
    const events: TrainerEvent[] = [startedEvent({ model: 'Heads', epochs: 2, batchesPerEpoch: 1 })];
    for (const epoch of [1, 2]) {
      events.push({ type: 'batch', model: 'Heads', epoch, batch: 1, metrics: { loss: 1 / epoch, out_a_loss: 0.6 / epoch, out_b_loss: 0.4 / epoch } });
      events.push({ type: 'epoch', model: 'Heads', epoch, epochs: 2, metrics: metrics(epoch) } as EpochEvent);
    }
    const state = applyAll(events);
    assert.deepEqual(state.chartNames(), ['loss', 'out_a_acc', 'out_a_loss', 'out_b_loss']);
    const member = state.members[0]!;
    for (const name of state.chartNames()) {
      assert.deepEqual(member.epoch.get(name)!.values, [1, 2].map((epoch) => metrics(epoch)[name]), name);
      assert.deepEqual(member.epoch.get(`val_${name}`)!.values, [1, 2].map((epoch) => metrics(epoch)[`val_${name}`]), `val_${name}`);
    }
  });
});
