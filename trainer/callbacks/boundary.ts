/**
 * The decision boundary of a classifier whose one input is two features
 * (xor(), moons, blobs, a two-column CSV, …): after an epoch, the model
 * predicts a grid of at most GRID_SIZE × GRID_SIZE points over the data's
 * bounding box, in one batched predict inside tf.tidy, and a `boundary`
 * event carries each point's class (and, for one sigmoid unit, its
 * probability) as base64 bytes. The member's first event also carries its
 * training and validation points (at most MAX_POINTS of each).
 *
 * The grids sent are bounded whatever the epochs: every epoch up to
 * EVERY_EPOCH_UNTIL, then SPACED_GRIDS spread evenly over the rest, the
 * last epoch run (the planned last, or the one a stop or EarlyStopping
 * ends on) and, once the fit ends, the best epoch when it was not among
 * them, predicted from a copy of its weights kept when it became the best.
 * The grids are written to `boundary.json` in the member's folder when the
 * fit ends; a run killed before then has them in its events file.
 *
 * It comes right after the epoch's event, before EarlyStopping can put the
 * best weights back, so that an epoch's grid is of that epoch's weights.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BoundaryEvent, BoundaryPoints, TrainerEvent } from '../../protocol/training';
import { writeAtomic } from '../artifacts';
import type { PreparedData, TensorPair } from '../dataset';
import type { StopControl } from './stopRequest';
import type { MemberState, TrainingCallback } from './callback';

/** Grid points per side: 64 × 64 = 4,096 predictions per grid. */
export const GRID_SIZE = 64;
/** Every epoch up to this one gets a grid: the early epochs are where the boundary moves most. */
export const EVERY_EPOCH_UNTIL = 20;
/** How many grids the epochs after those share, evenly spaced. */
export const SPACED_GRIDS = 60;
/** At most this many training points, and as many validation points, are sent. */
export const MAX_POINTS = 1000;
/** The box reaches this fraction of the data's extent beyond its points on each side. */
export const MARGIN = 0.1;

/** Whether `epoch` (1-based) of `epochs` planned gets a grid as it ends: at most EVERY_EPOCH_UNTIL + SPACED_GRIDS + 1 epochs do. */
export function boundaryEpoch(epoch: number, epochs: number): boolean {
  if (epoch <= EVERY_EPOCH_UNTIL || epoch >= epochs) return true;
  const step = Math.ceil((epochs - EVERY_EPOCH_UNTIL) / SPACED_GRIDS);
  return (epoch - EVERY_EPOCH_UNTIL) % step === 0;
}

/** Whether the member's model gets boundaries: one input of two features, one output, and a classifier. */
export function hasBoundary(data: PreparedData): boolean {
  const x = data.train.x;
  return data.target !== 'regression' && !Array.isArray(x) && !Array.isArray(data.train.y) && x.shape.length === 2 && x.shape[1] === 2;
}

type Box = BoundaryEvent['box'];

/** The grid's points, row 0 at the top (yMax), each at the centre of its cell, as [x, y] rows. */
export function gridPoints(box: Box, columns: number, rows: number): Float32Array {
  const points = new Float32Array(columns * rows * 2);
  const dx = (box.xMax - box.xMin) / columns;
  const dy = (box.yMax - box.yMin) / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const i = (r * columns + c) * 2;
      points[i] = box.xMin + (c + 0.5) * dx;
      points[i + 1] = box.yMax - (r + 0.5) * dy;
    }
  }
  return points;
}

/** The bounding box of the points with MARGIN on each side; a side of no extent gets one unit each way. */
export function boundingBox(sets: readonly Float32Array[]): Box {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const values of sets) {
    for (let i = 0; i + 1 < values.length; i += 2) {
      const [x, y] = [values[i]!, values[i + 1]!];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  if (xMin > xMax) [xMin, xMax, yMin, yMax] = [0, 0, 0, 0];
  const widen = (low: number, high: number): [number, number] => {
    const margin = high > low ? (high - low) * MARGIN : 1;
    return [low - margin, high + margin];
  };
  [xMin, xMax] = widen(xMin, xMax);
  [yMin, yMax] = widen(yMin, yMax);
  return { xMin, xMax, yMin, yMax };
}

/** Up to MAX_POINTS points of a set, evenly spread over it (the split is shuffled and stratified, so every class is among them). */
function samplePoints(values: Float32Array, labels: Int32Array, count: number): BoundaryPoints {
  const shown = Math.min(count, MAX_POINTS);
  const points: BoundaryPoints = { x: [], y: [], label: [] };
  for (let k = 0; k < shown; k++) {
    const i = Math.floor((k * count) / shown);
    points.x.push(values[i * 2]!);
    points.y.push(values[i * 2 + 1]!);
    points.label.push(labels[i]!);
  }
  return points;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * Each point's class and, as a byte, for one output unit its probability
 * (class 1 above 0.5, as binary accuracy counts it), for several the
 * probability of the class it predicts.
 */
export function encodePredictions(outputs: Float32Array | Int32Array | Uint8Array, units: number): { predicted: Uint8Array; probability?: Uint8Array; confidence?: Uint8Array } {
  const cells = outputs.length / units;
  const predicted = new Uint8Array(cells);
  if (units === 1) {
    const probability = new Uint8Array(cells);
    for (let i = 0; i < cells; i++) {
      const p = Math.min(1, Math.max(0, outputs[i]!));
      predicted[i] = p > 0.5 ? 1 : 0;
      probability[i] = Math.round(p * 255);
    }
    return { predicted, probability };
  }
  const confidence = new Uint8Array(cells);
  for (let i = 0; i < cells; i++) {
    let best = 0;
    for (let u = 1; u < units; u++) if (outputs[i * units + u]! > outputs[i * units + best]!) best = u;
    predicted[i] = best;
    confidence[i] = Math.round(Math.min(1, Math.max(0, outputs[i * units + best]!)) * 255);
  }
  return { predicted, confidence };
}

export class DecisionBoundary implements TrainingCallback {
  private readonly box: Box;
  private readonly grid: Float32Array;
  private readonly points: NonNullable<BoundaryEvent['points']>;
  private readonly sent: BoundaryEvent[] = [];
  /** A copy of the best epoch's weights while its grid is not sent, and that epoch. */
  private best: { epoch: number; weights: tf.Tensor[] } | undefined;

  constructor(
    private readonly state: Pick<MemberState, 'epoch' | 'best' | 'nanAt'>,
    private readonly model: tf.LayersModel,
    private readonly data: PreparedData,
    private readonly control: StopControl,
    private readonly emit: (event: TrainerEvent) => void,
    private readonly options: {
      /** The model's name, and the member's index in an ensemble. */
      label: { model: string; member?: number };
      epochs: number;
      /** Where boundary.json goes. */
      path: string;
    },
  ) {
    const values = (pair: TensorPair): Float32Array => (pair.x as tf.Tensor).dataSync() as Float32Array;
    const train = values(data.train);
    const validation = data.validation ? values(data.validation) : undefined;
    this.box = boundingBox(validation ? [train, validation] : [train]);
    this.grid = gridPoints(this.box, GRID_SIZE, GRID_SIZE);
    this.points = {
      train: samplePoints(train, data.train.classIndices, data.train.count),
      ...(validation && data.validation ? { validation: samplePoints(validation, data.validation.classIndices, data.validation.count) } : {}),
    };
  }

  onEpochEnd(epoch: number): void {
    const number = epoch + 1;
    const ending = number >= this.options.epochs || this.state.epoch.stop || this.control.stopRequested;
    if (boundaryEpoch(number, this.options.epochs) || ending) {
      this.send(number);
      if (this.state.epoch.improved) this.forgetBest();
    } else if (this.state.epoch.improved) {
      this.forgetBest();
      this.best = { epoch: number, weights: this.model.getWeights().map((weight) => tf.keep(weight.clone())) };
    }
  }

  /** The best epoch's grid when it was not sent, from its weights (put back after), then the file. */
  onTrainEnd(): void {
    const best = this.best;
    if (best && !this.state.nanAt && this.state.best.best?.epoch === best.epoch) {
      const current = this.model.getWeights().map((weight) => weight.clone());
      this.model.setWeights(best.weights);
      try {
        this.send(best.epoch);
      } finally {
        this.model.setWeights(current);
        tf.dispose(current);
      }
    }
    this.forgetBest();
    if (!this.sent.length) return;
    // An ensemble member's folder is made by the save that follows.
    mkdirSync(dirname(this.options.path), { recursive: true });
    writeAtomic(this.options.path, JSON.stringify(this.sent));
  }

  private forgetBest(): void {
    if (this.best) tf.dispose(this.best.weights);
    this.best = undefined;
  }

  private send(epoch: number): void {
    const cells = GRID_SIZE * GRID_SIZE;
    const outputs = tf.tidy(() => (this.model.predict(tf.tensor2d(this.grid, [cells, 2]), { batchSize: cells }) as tf.Tensor).dataSync());
    const { predicted, probability, confidence } = encodePredictions(outputs as Float32Array, this.data.outputUnits);
    const event: BoundaryEvent = {
      type: 'boundary',
      ...this.options.label,
      epoch,
      box: this.box,
      columns: GRID_SIZE,
      rows: GRID_SIZE,
      classes: this.data.classes,
      predicted: base64(predicted),
      ...(probability ? { probability: base64(probability) } : {}),
      ...(confidence ? { confidence: base64(confidence) } : {}),
      ...(this.sent.length === 0 ? { points: this.points } : {}),
    };
    this.sent.push(event);
    this.emit(event);
  }
}

/** The member's boundary callback, or none when its model is not a classifier of two features. */
export function decisionBoundary(...args: ConstructorParameters<typeof DecisionBoundary>): TrainingCallback[] {
  return hasBoundary(args[2]) ? [new DecisionBoundary(...args)] : [];
}
