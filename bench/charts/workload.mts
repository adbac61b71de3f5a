/// <reference lib="dom" />
/**
 * The training panel's chart workload, shared by the pages that drive each
 * chart library in the browser (bundled by bench/chartLibraries.ts).
 *
 * One chart of 800×220 px with three series sharing x, in epochs: the loss of
 * every batch as a thin line, and the loss and val_loss of every epoch as
 * points joined by a line. Batch b of epoch e sits at e - 1 + b / 500, so an
 * epoch's point shares its row with the epoch's last batch, as in the panel.
 *
 * Every timed step ends with a one-pixel read of the chart's canvas, which
 * makes Chromium rasterize what the step drew; a step therefore costs the
 * data update, the library's drawing and the rasterization.
 */

export const WIDTH = 800;
export const HEIGHT = 220;
export const BATCHES = 50_000;
export const BATCHES_PER_EPOCH = 500;
export const POINTS_PER_UPDATE = 14;
export const REPLAYS = 5;

export const COLORS = {
  batch: 'rgba(55, 148, 255, 0.45)',
  train: 'rgba(55, 148, 255, 1)',
  validation: 'rgba(209, 134, 22, 1)',
  foreground: 'rgba(97, 97, 97, 1)',
  grid: 'rgba(97, 97, 97, 0.12)',
};
export const FONT = '11px sans-serif';

/** A whole run, one row per batch; the epoch columns hold null except on an epoch's last batch. */
export interface Run {
  x: number[];
  batchLoss: number[];
  epochLoss: (number | null)[];
  valLoss: (number | null)[];
}

/** A small seeded generator (mulberry32), so that every library draws the same run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A falling, noisy batch loss; each epoch's loss is its batches' mean, and val_loss turns up late in the run. */
export function makeRun(): Run {
  const next = random(7);
  const run: Run = { x: [], batchLoss: [], epochLoss: [], valLoss: [] };
  let sum = 0;
  for (let b = 1; b <= BATCHES; b++) {
    const epoch = Math.ceil(b / BATCHES_PER_EPOCH);
    const inEpoch = b - (epoch - 1) * BATCHES_PER_EPOCH;
    const loss = (0.08 + 2.2 * Math.exp(-b / 6000)) * (1 + 0.6 * (next() - 0.5));
    sum += loss;
    run.x.push(epoch - 1 + inEpoch / BATCHES_PER_EPOCH);
    run.batchLoss.push(loss);
    if (inEpoch === BATCHES_PER_EPOCH) {
      const mean = sum / BATCHES_PER_EPOCH;
      run.epochLoss.push(mean);
      run.valLoss.push(mean * 1.1 + 0.0008 * Math.max(0, epoch - 40) + 0.01 * next());
      sum = 0;
    } else {
      run.epochLoss.push(null);
      run.valLoss.push(null);
    }
  }
  return run;
}

/** A chart under test that starts empty: `update` appends rows [from, to) of the run and redraws before it returns. */
export interface LiveChart {
  canvas: HTMLCanvasElement;
  update(from: number, to: number): void;
  /** Rows the chart holds, read back from the library. */
  rows(): number;
  destroy(): void;
}

/** A chart under test made whole: created with every row and drawn before the constructor returns. */
export interface WholeChart {
  canvas: HTMLCanvasElement;
  rows(): number;
  destroy(): void;
}

export interface LiveResult {
  /** Milliseconds of each update, in order. */
  updatesMs: number[];
  rows: number;
  /** Draws the library reported: one per update when drawing is synchronous. */
  draws: number;
  /** Canvas pixels with any colour after the last update: proof that something was drawn. */
  inkedPixels: number;
  /** Whether performance.now() has its fine resolution (a cross-origin isolated page). */
  isolated: boolean;
}

export interface ReplayResult {
  runsMs: number[];
  rows: number;
  draws: number;
  inkedPixels: number;
  isolated: boolean;
}

/** A fresh box for a chart, attached to the page. */
export function chartBox(): HTMLElement {
  const box = document.createElement('div');
  box.style.width = `${WIDTH}px`;
  document.body.append(box);
  return box;
}

/** Makes Chromium rasterize the canvas's pending drawing by reading one pixel back. */
function flush(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')!.getImageData(0, 0, 1, 1);
}

function inkedPixels(canvas: HTMLCanvasElement): number {
  const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
  return count;
}

/** Resolves in a new task without timer clamping, so the browser can run its own work between updates. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Appends the run in updates of POINTS_PER_UPDATE rows, back to back, timing each update. */
export async function runLive(create: (run: Run) => LiveChart, drawCount: () => number): Promise<LiveResult> {
  const run = makeRun();
  const chart = create(run);
  const before = drawCount();
  const updatesMs: number[] = [];
  for (let from = 0; from < BATCHES; from += POINTS_PER_UPDATE) {
    const to = Math.min(from + POINTS_PER_UPDATE, BATCHES);
    const start = performance.now();
    chart.update(from, to);
    flush(chart.canvas);
    updatesMs.push(performance.now() - start);
    await nextTask();
  }
  const result = { updatesMs, rows: chart.rows(), draws: drawCount() - before, inkedPixels: inkedPixels(chart.canvas), isolated: crossOriginIsolated };
  chart.destroy();
  return result;
}

/** Resolves after `ms` milliseconds, letting the page's collector and idle work run. */
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates and draws the whole run REPLAYS times, each from scratch, after one
 * untimed creation that compiles the library's code. `prepare` puts the run
 * into the library's own data form, untimed and fresh for each creation,
 * since that is the form the panel would keep its data in.
 */
export async function runReplay<T>(prepare: (run: Run) => T, create: (data: T) => WholeChart, drawCount: () => number): Promise<ReplayResult> {
  const run = makeRun();
  const runsMs: number[] = [];
  let draws = 0;
  let rows = 0;
  let inked = 0;
  for (let i = -1; i < REPLAYS; i++) {
    const data = prepare(run);
    await pause(50);
    const before = drawCount();
    const start = performance.now();
    const chart = create(data);
    flush(chart.canvas);
    const end = performance.now();
    if (i >= 0) {
      runsMs.push(end - start);
      draws += drawCount() - before;
    }
    rows = chart.rows();
    inked = inkedPixels(chart.canvas);
    chart.destroy();
  }
  return { runsMs, rows, draws, inkedPixels: inked, isolated: crossOriginIsolated };
}

/** What each page puts on window for the bench to call. */
export interface ChartPage {
  live(options: { decimation: boolean }): Promise<LiveResult>;
  replay(options: { decimation: boolean }): Promise<ReplayResult>;
}

/** Puts the page's entry points and the workload's constants on window for the bench. */
export function expose(page: ChartPage): void {
  const workload = { width: WIDTH, height: HEIGHT, batches: BATCHES, batchesPerEpoch: BATCHES_PER_EPOCH, pointsPerUpdate: POINTS_PER_UPDATE, replays: REPLAYS };
  Object.assign(window, { chartPage: page, chartWorkload: workload });
}
