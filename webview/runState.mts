/**
 * The shown run as numbers, with no DOM: each member's per-batch and
 * per-epoch values (a member of each model of the train block, or of each
 * model's ensemble, keyed by model then member), the smoothed batch line,
 * and the arrays the charts draw.
 *
 * Applying an event is arithmetic on typed arrays; nothing here walks the
 * whole history per event or per frame. Batch values sit at a fixed index
 * (epoch and batch give it), so members of an ensemble share one x axis, and
 * a long run's batch line is drawn from a bounded number of rows: past
 * `2 × MAX_BUCKETS` batches, each bucket of consecutive batches is drawn as
 * its minimum and maximum in the order they occurred.
 */
import type { DataEvent, EpochEvent, EvaluationEvent, FailedEvent, FinishedEvent, StartedEvent, TrainerEvent, WarningEvent } from '../protocol/training.js';
import type { DistributionsEvent } from '../protocol/training.js';

/** The learning rate's name among a member's epoch series: epoch events carry it beside the metrics. */
export const LEARNING_RATE = 'learning rate';

/** At most this many buckets of batches are drawn per chart line (two rows each). */
export const MAX_BUCKETS = 1024;

/** A span is shaded as overfitting after at least this many epochs in a row of val_loss rising while loss falls. */
export const MIN_OVERFIT_STEPS = 2;

export type Shown = (number | null)[];

/**
 * Where batches and epochs sit: batch b (1-based) of epoch e at
 * x = e - 1 + b / perEpoch, its value at index (e - 1) · perEpoch + b - 1,
 * and epoch e's point on the row whose x is exactly e.
 */
/** Runs up to this many epochs show their whole length on the x axis from the start. */
const SHORT_RUN_EPOCHS = 50;

/** The least of 1, 2 or 5 times a power of ten that is at least `value`. */
export function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export class Layout {
  /** Display buckets per epoch; `perEpoch` when batches are drawn one by one. */
  readonly buckets: number;
  readonly rowsPerBucket: 1 | 2;
  /** For each batch within an epoch (0-based), its bucket within the epoch. */
  readonly bucketOf: Int32Array;
  /** The first batch (0-based, within an epoch) of each bucket, and perEpoch at the end. */
  readonly bucketStart: Int32Array;
  /** The x of each display row, ascending. */
  readonly x: number[];
  readonly capacity: number;

  constructor(readonly epochs: number, readonly perEpoch: number, maxBuckets = MAX_BUCKETS) {
    this.capacity = epochs * perEpoch;
    const every = Math.ceil(this.capacity / maxBuckets);
    const decimate = perEpoch >= 2 && this.capacity > 2 * maxBuckets;
    this.buckets = decimate ? Math.max(1, Math.floor(perEpoch / every)) : perEpoch;
    this.rowsPerBucket = decimate ? 2 : 1;
    this.bucketStart = new Int32Array(this.buckets + 1);
    for (let j = 0; j <= this.buckets; j++) this.bucketStart[j] = Math.floor((j * perEpoch) / this.buckets);
    this.bucketOf = new Int32Array(perEpoch);
    for (let j = 0; j < this.buckets; j++) this.bucketOf.fill(j, this.bucketStart[j], this.bucketStart[j + 1]);
    this.x = new Array<number>(epochs * this.buckets * this.rowsPerBucket);
    let row = 0;
    for (let e = 0; e < epochs; e++) {
      for (let j = 0; j < this.buckets; j++) {
        this.x[row++] = e + (this.bucketStart[j]! + 1) / perEpoch;
        if (decimate) this.x[row++] = e + this.bucketStart[j + 1]! / perEpoch;
      }
    }
  }

  get rows(): number {
    return this.x.length;
  }

  /** The value index of batch `batch` of epoch `epoch` (both 1-based); batches past the epoch's count share its last slot. */
  index(epoch: number, batch: number): number {
    return (epoch - 1) * this.perEpoch + Math.min(Math.max(batch, 1), this.perEpoch) - 1;
  }

  bucket(index: number): number {
    return Math.floor(index / this.perEpoch) * this.buckets + this.bucketOf[index % this.perEpoch]!;
  }

  /** The value indexes [from, to) of a bucket. */
  bucketRange(bucket: number): [number, number] {
    const epoch = Math.floor(bucket / this.buckets);
    const j = bucket % this.buckets;
    return [epoch * this.perEpoch + this.bucketStart[j]!, epoch * this.perEpoch + this.bucketStart[j + 1]!];
  }

  /** The display row whose x is exactly `epoch`. */
  epochRow(epoch: number): number {
    return epoch * this.buckets * this.rowsPerBucket - 1;
  }
}

/** Writes one bucket's rows of a display array from its values: the value itself, or the minimum and maximum in order. */
function showBucket(layout: Layout, bucket: number, values: Float64Array, shown: Shown, log: boolean): void {
  const [from, to] = layout.bucketRange(bucket);
  if (layout.rowsPerBucket === 1) {
    const value = values[from]!;
    shown[bucket] = Number.isNaN(value) || (log && value <= 0) ? null : value;
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  let minAt = -1;
  let maxAt = -1;
  for (let i = from; i < to; i++) {
    const value = values[i]!;
    if (Number.isNaN(value) || (log && value <= 0)) continue;
    if (value < min) { min = value; minAt = i; }
    if (value > max) { max = value; maxAt = i; }
  }
  const row = bucket * 2;
  if (minAt < 0) {
    shown[row] = shown[row + 1] = null;
  } else if (minAt <= maxAt) {
    shown[row] = min;
    shown[row + 1] = max;
  } else {
    shown[row] = max;
    shown[row + 1] = min;
  }
}

/** One member's per-batch values of one metric, raw and smoothed, and their display rows. */
export class BatchSeries {
  raw: Float64Array;
  smooth: Float64Array;
  rawShown: Shown;
  smoothShown: Shown;
  count = 0;
  nonPositive = 0;
  /** The highest value index written. */
  last = -1;
  /** Changes whenever the display rows change. */
  version = 0;
  private ema = 0;
  private weight = 0;
  private dirtyFrom = Infinity;
  private dirtyTo = -1;

  constructor(layout: Layout) {
    this.raw = new Float64Array(layout.capacity).fill(NaN);
    this.smooth = new Float64Array(layout.capacity).fill(NaN);
    this.rawShown = new Array<number | null>(layout.rows).fill(null);
    this.smoothShown = new Array<number | null>(layout.rows).fill(null);
  }

  add(index: number, value: number, smoothing: number): void {
    const previous = this.raw[index]!;
    if (Number.isNaN(previous)) this.count++;
    else if (previous <= 0) this.nonPositive--;
    if (value <= 0) this.nonPositive++;
    this.raw[index] = value;
    if (index > this.last) {
      this.last = index;
      this.step(index, value, smoothing);
      this.markDirty(index, index);
    } else {
      // A value before the last one (replayed or out of order): the line after it changes.
      this.resmooth(smoothing);
    }
  }

  /** Debiased exponential moving average, as TensorBoard smooths: the early values are not pulled towards 0. */
  private step(index: number, value: number, smoothing: number): void {
    this.ema = smoothing * this.ema + (1 - smoothing) * value;
    this.weight = smoothing * this.weight + (1 - smoothing);
    this.smooth[index] = this.ema / this.weight;
  }

  resmooth(smoothing: number): void {
    this.ema = 0;
    this.weight = 0;
    for (let i = 0; i <= this.last; i++) {
      const value = this.raw[i]!;
      if (!Number.isNaN(value)) this.step(i, value, smoothing);
    }
    this.markDirty(0, this.last);
  }

  private markDirty(from: number, to: number): void {
    if (from < this.dirtyFrom) this.dirtyFrom = from;
    if (to > this.dirtyTo) this.dirtyTo = to;
  }

  /** Brings the display rows up to date with the values written since the last call. */
  sync(layout: Layout, log: boolean): void {
    if (this.dirtyTo < 0) return;
    const last = layout.bucket(this.dirtyTo);
    for (let bucket = layout.bucket(this.dirtyFrom); bucket <= last; bucket++) {
      showBucket(layout, bucket, this.raw, this.rawShown, log);
      showBucket(layout, bucket, this.smooth, this.smoothShown, log);
    }
    this.dirtyFrom = Infinity;
    this.dirtyTo = -1;
    this.version++;
  }

  /** The same values in a larger layout (same batches per epoch, so the same indexes). */
  relayout(layout: Layout): void {
    const raw = new Float64Array(layout.capacity).fill(NaN);
    raw.set(this.raw.subarray(0, Math.min(this.raw.length, raw.length)));
    const smooth = new Float64Array(layout.capacity).fill(NaN);
    smooth.set(this.smooth.subarray(0, Math.min(this.smooth.length, smooth.length)));
    this.raw = raw;
    this.smooth = smooth;
    this.rawShown = new Array<number | null>(layout.rows).fill(null);
    this.smoothShown = new Array<number | null>(layout.rows).fill(null);
    this.markDirty(0, this.last);
  }

  reshow(): void {
    this.markDirty(0, this.last);
  }

  /** The last smoothed value, or undefined before any. */
  lastSmoothed(): number | undefined {
    return this.last < 0 ? undefined : this.smooth[this.last];
  }
}

/** One member's per-epoch values of one name (a metric, its val_ twin, or the learning rate). */
export class EpochSeries {
  /** Index epoch - 1; NaN where the epoch has no value. */
  values: number[] = [];
  shown: Shown;
  count = 0;
  nonPositive = 0;
  version = 0;

  constructor(layout: Layout) {
    this.shown = new Array<number | null>(layout.rows).fill(null);
  }

  set(layout: Layout, epoch: number, value: number, log: boolean): void {
    const previous = this.values[epoch - 1];
    if (previous === undefined || Number.isNaN(previous)) this.count++;
    else if (previous <= 0) this.nonPositive--;
    if (value <= 0) this.nonPositive++;
    while (this.values.length < epoch - 1) this.values.push(NaN);
    this.values[epoch - 1] = value;
    this.shown[layout.epochRow(epoch)] = log && value <= 0 ? null : value;
    this.version++;
  }

  reshow(layout: Layout, log: boolean): void {
    if (this.shown.length !== layout.rows) this.shown = new Array<number | null>(layout.rows).fill(null);
    this.values.forEach((value, i) => {
      this.shown[layout.epochRow(i + 1)] = Number.isNaN(value) || (log && value <= 0) ? null : value;
    });
    this.version++;
  }

  get(epoch: number): number | undefined {
    const value = this.values[epoch - 1];
    return value === undefined || Number.isNaN(value) ? undefined : value;
  }
}

/** A member's best epoch as the trainer decided it (see BestRule in the protocol): the page never picks one of its own. */
export interface Best {
  epoch: number;
  /** The quantity that decided it: EarlyStopping's monitor, else `val_loss` (or `loss` without validation data); empty when the run did not say. */
  metric: string;
  value: number | undefined;
  /** Whether the saved model holds this epoch's weights, restored by EarlyStopping (known once the member finished). */
  restored?: boolean;
}

/**
 * One trained network of the run: a model of the train block, or a member of
 * a model's ensemble. `index` is the member's index within its model and
 * `members` the size of its model's ensemble (1 without one).
 */
export class Member {
  batch = new Map<string, BatchSeries>();
  epoch = new Map<string, EpochSeries>();
  epochs: EpochEvent[] = [];
  finished: FinishedEvent | undefined;
  best: Best | undefined;

  constructor(readonly index: number, readonly model = '', readonly members = 1, readonly perEpoch = 0) {}
}

/** A span of epochs [from, to] shaded as overfitting. */
export interface Span {
  from: number;
  to: number;
}

/**
 * The spans where val_loss rose while loss fell, epoch after epoch, for at
 * least MIN_OVERFIT_STEPS epochs in a row: from the epoch before the first
 * such step to the last one.
 */
export function overfitSpans(member: Member | undefined): Span[] {
  const loss = member?.epoch.get('loss');
  const validation = member?.epoch.get('val_loss');
  if (!loss || !validation) return [];
  const spans: Span[] = [];
  let start = 0;
  const epochs = Math.max(loss.values.length, validation.values.length);
  const close = (end: number): void => {
    if (start && end - start + 1 >= MIN_OVERFIT_STEPS) spans.push({ from: start - 1, to: end });
    start = 0;
  };
  for (let epoch = 2; epoch <= epochs; epoch++) {
    const [l0, l1, v0, v1] = [loss.get(epoch - 1), loss.get(epoch), validation.get(epoch - 1), validation.get(epoch)];
    const rising = l0 !== undefined && l1 !== undefined && v0 !== undefined && v1 !== undefined && v1 > v0 && l1 < l0;
    if (rising && !start) start = epoch;
    if (!rising) close(epoch - 1);
  }
  close(epochs);
  return spans;
}

export const formatSpans = (spans: Span[]): string => spans.map(({ from, to }) => `${from}-${to}`).join(',');

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The run as the page knows it. `version` changes with every event and
 * `structure` whenever the set of drawn series or the layout changes (the
 * charts are then rebuilt rather than updated).
 */
export class RunState {
  /** The latest `started` event: the model (and member) being trained, or the last one trained. */
  started: StartedEvent | undefined;
  /** Every member of every model, in the order they started. */
  members: Member[] = [];
  /** The block's models, in the order they started. */
  models: string[] = [];
  /** Members by model, then by member index. */
  private byModel = new Map<string, Member[]>();
  layout: Layout | undefined;
  data: DataEvent | undefined;
  evaluations: EvaluationEvent[] = [];
  /** Every member's per-layer distributions, in the order they came (the Layers tab). */
  distributions: DistributionsEvent[] = [];
  /** The latest finished event (an ensemble's last carries `ensemble`). */
  finished: FinishedEvent | undefined;
  failed: FailedEvent | undefined;
  /** What the trainer warned of (training data of one class), in the order told. */
  warnings: WarningEvent[] = [];
  version = 0;
  structure = 0;

  constructor(public smoothing = 0.6, public log = false) {}

  /** The member being trained, or the last one trained. */
  get current(): Member | undefined {
    return this.members.at(-1);
  }

  /** Whether the model being trained (or the last one) is an ensemble. */
  get ensemble(): boolean {
    return (this.started?.members ?? 1) > 1;
  }

  /** Whether the run trains more than one model. */
  get multiModel(): boolean {
    return this.models.length > 1;
  }

  /** Whether any model of the run is an ensemble. */
  get anyEnsemble(): boolean {
    return this.members.some((member) => member.members > 1);
  }

  /** A model's members, by member index. */
  membersOf(model: string): readonly Member[] {
    return this.byModel.get(model) ?? [];
  }

  /**
   * True once nothing more is expected: a failure, a stop, or the end of the
   * last member of the model trained last (a next model's `started` makes
   * the run live again).
   */
  get done(): boolean {
    if (this.failed) return true;
    if (!this.finished) return false;
    return this.finished.reason === 'stopped' || (this.finished.member ?? 0) >= (this.started?.members ?? 1) - 1;
  }

  get runDir(): string | undefined {
    return this.finished?.artifacts.runDir ?? this.failed?.runDir ?? this.started?.runDir;
  }

  apply(event: TrainerEvent): void {
    this.version++;
    switch (event.type) {
      case 'started': {
        // A member that already started means a new run; a model not seen yet joins this one.
        const fresh = !this.started || this.membersOf(event.model)[event.member ?? 0] !== undefined;
        if (fresh) {
          this.members = [];
          this.models = [];
          this.byModel.clear();
          this.data = undefined;
          this.evaluations = [];
          this.distributions = [];
          this.failed = undefined;
          this.layout = new Layout(Math.max(1, event.epochs), Math.max(1, event.batchesPerEpoch));
        } else {
          this.fit(Math.max(1, event.epochs), true);
        }
        if (fresh || event.model !== this.started?.model) this.finished = undefined;
        this.started = event;
        this.member(event.model, event.member, event);
        this.structure++;
        return;
      }
      case 'data':
        this.data = event;
        return;
      case 'batch': {
        if (!this.layout) return;
        this.fit(event.epoch);
        const member = this.member(event.model, event.member);
        const index = this.batchIndex(member, event.epoch, event.batch);
        for (const [name, value] of Object.entries(event.metrics)) {
          if (!finite(value)) continue;
          let series = member.batch.get(name);
          if (!series) {
            series = new BatchSeries(this.layout);
            member.batch.set(name, series);
            this.structure++;
          }
          series.add(index, value, this.smoothing);
        }
        return;
      }
      case 'epoch': {
        if (!this.layout) return;
        this.fit(event.epoch);
        const member = this.member(event.model, event.member);
        for (const [name, value] of Object.entries(event.metrics)) this.setEpoch(member, name, event.epoch, value);
        this.setEpoch(member, LEARNING_RATE, event.epoch, event.learningRate);
        member.epochs.push(event);
        if (event.best) member.best = { epoch: event.best.epoch, metric: event.best.monitor, value: event.best.value };
        return;
      }
      case 'evaluation':
        this.evaluations = [...this.evaluations.filter((e) => e.model !== event.model || e.member !== event.member), event];
        return;
      case 'finished': {
        const member = this.member(event.model, event.member);
        member.finished = event;
        this.finished = event;
        if (event.best) member.best = { epoch: event.best.epoch, metric: event.best.monitor, value: event.best.value, restored: event.restored ?? false };
        // A run stored without its rule still names its best epoch.
        else if (event.bestEpoch > 0) member.best = { epoch: event.bestEpoch, metric: '', value: undefined, restored: event.restored ?? false };
        else member.best = undefined;
        return;
      }
      case 'distributions':
        this.distributions.push(event);
        return;
      case 'failed':
        this.failed = event;
        return;
      case 'warning':
        // The same warning twice (a replay after a live run) is shown once.
        if (!this.warnings.some((w) => w.model === event.model && w.message === event.message)) this.warnings = [...this.warnings, event];
        return;
    }
  }

  private member(model: string, index = 0, started?: StartedEvent): Member {
    let members = this.byModel.get(model);
    if (!members) {
      members = [];
      this.byModel.set(model, members);
      this.models.push(model);
    }
    let member = members[index];
    if (!member) {
      const source = started ?? (this.started?.model === model ? this.started : undefined);
      member = new Member(index, model, source?.members ?? 1, source?.batchesPerEpoch ?? this.layout?.perEpoch ?? 1);
      members[index] = member;
      this.members.push(member);
      this.structure++;
    }
    return member;
  }

  /**
   * A batch's value index. A model with another number of batches per epoch
   * than the layout's has its batches placed at the same fraction of the
   * epoch on the layout's slots.
   */
  private batchIndex(member: Member, epoch: number, batch: number): number {
    const layout = this.layout!;
    if (member.perEpoch === layout.perEpoch || member.perEpoch <= 0) return layout.index(epoch, batch);
    return layout.index(epoch, Math.round((batch * layout.perEpoch) / member.perEpoch));
  }

  private setEpoch(member: Member, name: string, epoch: number, value: number): void {
    if (!finite(value)) return;
    let series = member.epoch.get(name);
    if (!series) {
      series = new EpochSeries(this.layout!);
      member.epoch.set(name, series);
      this.structure++;
    }
    series.set(this.layout!, epoch, value, this.log);
  }

  /**
   * Grows the layout when an epoch lies past the planned ones: to twice the
   * planned epochs for an epoch run past them, to exactly `epoch` for a next
   * model that plans more (`exact`).
   */
  private fit(epoch: number, exact = false): void {
    const layout = this.layout!;
    if (epoch <= layout.epochs) return;
    this.layout = new Layout(exact ? epoch : Math.max(epoch, layout.epochs * 2), layout.perEpoch);
    for (const member of this.members) {
      for (const series of member.batch.values()) series.relayout(this.layout);
      for (const series of member.epoch.values()) series.reshow(this.layout, this.log);
    }
    this.structure++;
  }

  setSmoothing(smoothing: number): void {
    if (smoothing === this.smoothing) return;
    this.smoothing = smoothing;
    for (const series of this.batchSeries()) series.resmooth(smoothing);
    this.version++;
  }

  setLog(log: boolean): void {
    if (log === this.log) return;
    this.log = log;
    for (const series of this.batchSeries()) series.reshow();
    for (const member of this.members) for (const series of member.epoch.values()) series.reshow(this.layout!, log);
    this.version++;
    this.structure++;
  }

  *batchSeries(): Generator<BatchSeries> {
    for (const member of this.members) yield* member.batch.values();
  }

  /** Brings every display array up to date. */
  sync(): void {
    if (!this.layout) return;
    for (const series of this.batchSeries()) series.sync(this.layout, this.log);
  }

  /** Each chart's name: loss first, then each metric alphabetically, then the learning rate. */
  chartNames(): string[] {
    const names = new Set<string>();
    let learningRate = false;
    for (const member of this.members) {
      for (const name of [...member.batch.keys(), ...member.epoch.keys()]) {
        if (name === LEARNING_RATE) learningRate = true;
        else names.add(name.replace(/^val_/, ''));
      }
    }
    const ordered = [...names].sort((a, b) => Number(b === 'loss') - Number(a === 'loss') || a.localeCompare(b));
    return learningRate ? [...ordered, LEARNING_RATE] : ordered;
  }

  /** The x range the charts show: the planned epochs while training, the epochs run once done. */
  /**
   * The x axis's end. A finished run ends at its last epoch. While it runs,
   * a short run (up to 50 epochs) shows its whole length from the start; a
   * longer one shows what it has reached and a fifth more, rounded up to 1,
   * 2 or 5 times a power of ten, so that its curves fill the chart and the
   * axis grows in a few steps rather than at every epoch.
   */
  xMax(): number {
    if (!this.layout) return 1;
    let epochs = 0;
    for (const member of this.members) epochs = Math.max(epochs, member.epochs.at(-1)?.epoch ?? 0);
    if (this.done) return Math.max(1, epochs);
    const planned = this.layout.epochs;
    if (planned <= SHORT_RUN_EPOCHS) return planned;
    return Math.min(planned, niceCeil(Math.max(SHORT_RUN_EPOCHS / 5, (epochs + 1) * 1.2)));
  }

  /**
   * Seconds until the run ends: the epochs left in this member and in the
   * members after it, at the mean time of the last few epochs.
   */
  secondsLeft(): number | undefined {
    const current = this.current;
    if (!this.started || !current || this.done) return undefined;
    const recent: number[] = [];
    for (let i = this.members.length - 1; i >= 0 && recent.length < 5; i--) {
      const epochs = this.members[i]!.epochs;
      for (let j = epochs.length - 1; j >= 0 && recent.length < 5; j--) recent.push(epochs[j]!.seconds);
    }
    if (!recent.length) return undefined;
    const perEpoch = recent.reduce((a, b) => a + b, 0) / recent.length;
    const planned = this.started.epochs;
    const done = current.finished ? planned : current.epochs.at(-1)?.epoch ?? 0;
    const membersAfter = Math.max(0, this.started.members - 1 - current.index);
    return (Math.max(0, planned - done) + membersAfter * planned) * perEpoch;
  }
}
