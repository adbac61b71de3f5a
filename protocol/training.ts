/**
 * The messages between a trainer process and whoever started it (the
 * command line, the VS Code client). Plain JSON values only: they cross a
 * process boundary, and `layerwise train --json` prints them as lines.
 *
 * Invariant: this module imports nothing.
 */

/** The backends a run can use, fastest first. */
export const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';
/** The backends that come from a native package, not bundled with Layerwise. */
export type NativeBackend = 'tfjs-node-gpu' | 'tfjs-node';

/** The npm package of each native backend. */
export const NATIVE_PACKAGES: Record<NativeBackend, string> = { 'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu', 'tfjs-node': '@tensorflow/tfjs-node' };

/** Where a native package was found: the named folder, the workspace, the per-user folder, or beside Layerwise. */
export type NativeSource = 'setting' | 'workspace' | 'user' | 'layerwise';

/** Where each source is, in words, for messages. */
export const NATIVE_SOURCE_NAMES: Record<NativeSource, string> = {
  setting: 'the folder named by layerwise.training.nativeModules or --native-modules',
  workspace: "the workspace's node_modules, from the file's folder up",
  user: 'the per-user folder of `layerwise backend install`',
  layerwise: "Layerwise's own node_modules",
};

/** Where the trainer looks for a native package, besides Layerwise's own node_modules. */
export interface NativeLocations {
  /** A folder the user named (`layerwise.training.nativeModules`, `--native-modules`): a node_modules folder, or one that holds one. */
  folder?: string;
  /** The folder the upward search of node_modules starts in: the .net file's. */
  from?: string;
  /** Where that search stops: the workspace folder; the filesystem's root when absent. */
  root?: string;
  /** The per-user folder the install command fills; the platform's cache folder when absent. */
  userDir?: string;
}

/** Parent → trainer: what to train. */
export interface StartRequest {
  type: 'start';
  /** The .net file; data paths are relative to it, and runs are written beside it. */
  file: string;
  /** The file's text when it differs from the disk (an unsaved editor). */
  text?: string;
  /** Which train block (its index in the file); the first when absent. */
  trainBlock?: number;
  /** Train only this model of the block. */
  model?: string;
  epochs?: number;
  backend?: BackendChoice;
  /** Where native packages are looked for; the upward search starts at the file's folder. */
  native?: Omit<NativeLocations, 'from'>;
  /** Where runs are written; `.layerwise/runs` beside the file when absent. */
  runsDir?: string;
}

/**
 * The trainer's exit code when a second interrupt (Ctrl-C, SIGTERM) ended
 * it at once: 128 + SIGINT's number, as shells report an interrupted command.
 */
export const INTERRUPTED_EXIT_CODE = 130;

/** Parent → trainer: end after the current batch and keep what was trained. */
export interface StopRequest {
  type: 'stop';
}

/** Parent → trainer: try every backend, answer with a `probed` message, and exit; nothing is trained. */
export interface ProbeRequest {
  type: 'probe';
  native?: NativeLocations;
}

export type TrainerRequest = StartRequest | StopRequest | ProbeRequest;

/** One backend as a probe found it: what it is where it loads, or why it does not. */
export interface BackendReport {
  backend: BackendName;
  info?: BackendInfo;
  reason?: string;
}

/** A node_modules folder the native packages are looked for in, and why. */
export interface SearchFolder {
  nodeModules: string;
  source: NativeSource;
}

/** Trainer → parent, after a probe. */
export interface ProbedMessage {
  type: 'probed';
  /** The TensorFlow.js release the trainer runs: the version a native package must be built for. */
  tfjsVersion: string;
  /** The Node.js the trainer runs on. */
  node: string;
  /** Every backend, in the order `auto` tries them. */
  backends: BackendReport[];
  /** Where the native packages were looked for, in order. */
  searched: SearchFolder[];
}

export function isProbedMessage(value: unknown): value is ProbedMessage {
  return (value as { type?: unknown } | null)?.type === 'probed';
}

/** A backend as it runs: its package's version, the folder it came from, and for a GPU the device. */
export interface BackendInfo {
  version: string;
  /** The package's folder, or the trainer's file for a TensorFlow.js bundled into it. */
  folder: string;
  /** Where a native package was found. */
  source?: NativeSource;
  /** The GPU, as its driver names it. */
  device?: string;
  /** On wasm: the build that runs and its threads. */
  wasm?: WasmRuntime;
}

/**
 * The wasm build a run trains on: the threaded SIMD build, the
 * single-threaded SIMD one, or the plain one, for a runtime without SIMD.
 */
export type WasmBuild = 'threaded-simd' | 'simd' | 'plain';

export interface WasmRuntime {
  build: WasmBuild;
  /** Threads of the backend's own pool. */
  threads: number;
  /** Why more threads were asked for than run: the threaded build did not start, or the runtime lacks what it needs. */
  fallback?: string;
  /** The trainer's own kernels (matrix products, Adam's step): their WebAssembly build and threads. */
  kernels?: { build: 'relaxed-simd' | 'simd'; threads: number };
  /** Why the trainer's own kernels do not run (the backend's own kernels do). */
  kernelsMissing?: string;
}

/** Why a faster backend did not load. */
export interface BackendAttempt {
  backend: BackendName;
  reason: string;
}

export interface StartedEvent {
  type: 'started';
  model: string;
  /** Ensemble member (0-based) when the block trains an ensemble. */
  member?: number;
  members: number;
  params: { total: number; trainable: number; nonTrainable: number };
  backend: BackendName;
  /** What the backend is: its version and where it was loaded from (absent in runs recorded before it was sent). */
  backendInfo?: BackendInfo;
  /** The faster backends that were tried first, and why each did not load. */
  skipped: BackendAttempt[];
  data: { train: number; validation: number; features: number[] };
  /** Class labels in sorted order; index i is output unit i. */
  classes: (string | number)[];
  epochs: number;
  batchSize: number;
  batchesPerEpoch: number;
  runDir: string;
}

/** Per-batch training values: `loss` and each metric (`acc`, …). */
export interface BatchEvent {
  type: 'batch';
  model: string;
  member?: number;
  /** 1-based. */
  epoch: number;
  /** 1-based within the epoch. */
  batch: number;
  metrics: Record<string, number>;
}

/**
 * How the trainer picks a run's best epoch, decided once per run (Keras's
 * rule): the quantity watched, whether it should fall (`min`) or rise
 * (`max`), and by how much an epoch must beat the best so far to count.
 * With an EarlyStopping callback it is that callback's `monitor`, `mode`
 * and `min_delta`, so that the best epoch is exactly the one whose weights
 * `restore_best_weights` restores; without one, `val_loss` (`loss` without
 * validation data), falling, by any amount.
 */
export interface BestRule {
  monitor: string;
  mode: 'min' | 'max';
  minDelta: number;
}

/** The best epoch so far under the run's rule, and its value of the monitored quantity. */
export interface BestEpoch extends BestRule {
  /** 1-based. */
  epoch: number;
  value: number;
}

export interface EpochEvent {
  type: 'epoch';
  model: string;
  member?: number;
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** `loss`, each metric, and their `val_` twins. */
  metrics: Record<string, number>;
  learningRate: number;
  seconds: number;
  samplesPerSecond: number;
  /** The best epoch up to this one; absent while no epoch has recorded the monitored quantity. */
  best?: BestEpoch;
}

export interface FinishedEvent {
  type: 'finished';
  model: string;
  member?: number;
  /** Why training ended: all epochs, early stopping, or a stop request. */
  reason: 'completed' | 'early-stopping' | 'stopped';
  epochs: number;
  /** The best epoch (1-based) under the run's rule (see BestRule), as `best.epoch`; 0 when no epoch recorded its quantity. */
  bestEpoch: number;
  /** The best epoch and the rule that chose it. */
  best?: BestEpoch;
  /**
   * Whether EarlyStopping's restore_best_weights put the best epoch's
   * weights back: the saved model is then the best epoch's, else the last
   * epoch's.
   */
  restored?: boolean;
  /** The values of the epoch whose weights the saved model holds: the best epoch's when restored, else the last epoch's. */
  metrics: Record<string, number>;
  /** For an ensemble's last message: each member's and the averaged prediction's validation accuracy. */
  ensemble?: { memberAccuracy: number[]; averagedAccuracy: number };
  artifacts: { runDir: string; history: string; settings: string; summary: string; model: string; evaluation?: string };
}

export interface FailedEvent {
  type: 'failed';
  model?: string;
  message: string;
  /** Where in the .net file or a data file the problem is (1-based), when it comes from one. */
  file?: string;
  line?: number;
  column?: number;
  /** The run folder, when one was written before the failure. */
  runDir?: string;
}

/**
 * Something about the run that is allowed but probably not meant (training
 * data of one class), sent when it is found; the run goes on.
 */
export interface WarningEvent {
  type: 'warning';
  model?: string;
  message: string;
  /** The data file or .net file it is about, when there is one. */
  file?: string;
}

/** An image input's layout: pixels are row-major `height × width × channels`, each 0–255. */
export interface ImageShape {
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
}

/**
 * What a model trains on, sent once after its `started` (for an ensemble,
 * after the first member's): how many samples of each class the training
 * and the validation data hold and, when the input is an image, a few
 * training samples to look at.
 */
export interface DataEvent {
  type: 'data';
  model: string;
  member?: number;
  /** Samples per class, index i for `classes[i]` of `started`; absent for regression. */
  labelCounts?: { train: number[]; validation: number[] };
  /** Up to 32 training samples, a few of each class, when the input is an image. */
  images?: { shape: ImageShape; samples: { label: number; pixels: number[] }[] };
}

/** One sample the model got wrong, for the Evaluation tab. */
export interface MisclassifiedSample {
  /** The sample's index in the evaluated data. */
  index: number;
  /** True class index. */
  label: number;
  /** Predicted class index. */
  predicted: number;
  /** The probability the model gave its (wrong) prediction. */
  confidence: number;
  /** The image, when the input is one (see `DataEvent.images.shape`). */
  pixels?: number[];
}

/**
 * How a trained classifier does on the validation data (the training data
 * when there is none), sent just before its `finished`. Not sent for
 * regression, nor for a run that failed.
 */
export interface EvaluationEvent {
  type: 'evaluation';
  model: string;
  member?: number;
  on: 'validation' | 'train';
  classes: (string | number)[];
  /** `confusion[t][p]`: samples of class t predicted as class p. */
  confusion: number[][];
  /** Up to 16 wrong predictions, the most confident first. */
  worst: MisclassifiedSample[];
  imageShape?: ImageShape;
}

/** Points of one data set on a boundary's plane: parallel arrays, `label[i]` the class index of (x[i], y[i]). */
export interface BoundaryPoints {
  x: number[];
  y: number[];
  label: number[];
}

/**
 * What a model whose one input is two features predicts over the plane of
 * its data, after an epoch: a grid of `columns × rows` points spread over
 * `box` (the training and validation points' bounding box and a tenth more
 * on each side), point (c, r) at the centre of its cell, row 0 at the top
 * (`yMax`), stored row by row. Sent for classifiers only, for a bounded
 * number of epochs (see trainer/callbacks/boundary.ts); the last epoch and
 * the best are always among them. Each member's are also written, as an
 * array of these events, to `boundary.json` in its folder.
 */
export interface BoundaryEvent {
  type: 'boundary';
  model: string;
  member?: number;
  /** 1-based. */
  epoch: number;
  box: { xMin: number; xMax: number; yMin: number; yMax: number };
  columns: number;
  rows: number;
  /** Class labels, index i for class i (as `started` gives them). */
  classes: (string | number)[];
  /** Base64 of one byte per grid point: its predicted class index. */
  predicted: string;
  /** For one sigmoid output unit: base64 of one byte per grid point, the probability of class 1 as round(p × 255). */
  probability?: string;
  /** For several output units (softmax): base64 of one byte per grid point, the probability of the class it predicts as round(p × 255). */
  confidence?: string;
  /** The points the model trains and is validated on (up to 1,000 of each, spread over the set), in the member's first boundary event only. */
  points?: { train: BoundaryPoints; validation?: BoundaryPoints };
}

/**
 * The quantiles of TensorBoard's distribution bands, as fractions: the
 * minimum, the points a normal distribution has at −1.5σ, −1σ and −0.5σ,
 * the median, +0.5σ, +1σ, +1.5σ, and the maximum. Each is read from the
 * sorted values with linear interpolation between the two nearest
 * (numpy.quantile's default).
 */
export const DISTRIBUTION_QUANTILES = [0, 0.0668, 0.1587, 0.3085, 0.5, 0.6915, 0.8413, 0.9332, 1] as const;

/** How many equal bins a distribution's histogram has over [min, max]. */
export const HISTOGRAM_BINS = 30;

/** The values of one tensor summarised: its bands and its histogram. */
export interface Distribution {
  /** The values at DISTRIBUTION_QUANTILES, in that order. */
  bands: number[];
  /**
   * HISTOGRAM_BINS equal bins over [min, max], the last one closed, as
   * numpy.histogram counts them; a tensor of one value has the range
   * [value − 0.5, value + 0.5].
   */
  histogram: { min: number; max: number; counts: number[] };
  /** How many values the tensor holds (values that are not numbers are left out and counted in `nonFinite`). */
  count: number;
  /** How many values the inner bands were read from, when a tensor is too large to sort whole: an evenly strided sample; min, max and the histogram are of every value. */
  sampled?: number;
  nonFinite?: number;
}

/** A weight variable's distribution, by its Keras name (`kernel`, `bias`, `recurrent_kernel`, `gamma`, `moving_mean`, …). */
export interface VariableDistribution extends Distribution {
  name: string;
  shape: number[];
}

/** One layer at an epoch's end. */
export interface LayerDistributions {
  name: string;
  /** The layer's type, as the file names it. */
  type: string;
  /** Its weight variables, in the layer's order (none for a layer without weights). */
  variables: VariableDistribution[];
  /** Its output on the fixed sample (absent for a layer with several outputs). */
  activations?: Distribution;
  /**
   * For a ReLU layer (a ReLU, or a layer with activation=relu): the
   * fraction of its units (output channels, the last axis) whose output is
   * ≤ 0 for every sample of the fixed sample and every position.
   */
  deadFraction?: number;
}

/**
 * Each layer's weights and activations after an epoch, sent after the
 * epoch's event: every epoch of a run of up to 200, and of a longer one
 * the first, every k-th (k = ceil(epochs / 200)) and the last. The activations are those of one fixed sample, the same
 * every epoch: up to 256 samples of the validation data (the training data
 * without), chosen once by the run's seed.
 */
export interface DistributionsEvent {
  type: 'distributions';
  model: string;
  member?: number;
  /** 1-based. */
  epoch: number;
  /** The fixed sample: which data, and its rows' indices in it, ascending. */
  sample: { on: 'validation' | 'train'; indices: number[] };
  layers: LayerDistributions[];
  /** How long the summaries took to compute. */
  seconds: number;
}

export type TrainerEvent = StartedEvent | DataEvent | BatchEvent | EpochEvent | EvaluationEvent | FinishedEvent | FailedEvent | WarningEvent | BoundaryEvent | DistributionsEvent;

export function isTrainerEvent(value: unknown): value is TrainerEvent {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'started' || type === 'data' || type === 'batch' || type === 'epoch' || type === 'evaluation' || type === 'finished' || type === 'failed' || type === 'warning' || type === 'boundary' || type === 'distributions';
}

export function isTrainerRequest(value: unknown): value is TrainerRequest {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'stop' || type === 'probe';
}

/** What a run trains on, in words: `tfjs-node 4.22.0 from /…/@tensorflow/tfjs-node`, and the GPU where there is one. */
export function describeBackend(backend: BackendName, info: BackendInfo | undefined): string {
  if (!info) return backend;
  return `${backend} ${info.version} from ${info.folder}${info.device ? ` on ${info.device}` : ''}${info.wasm ? ` (${describeWasm(info.wasm)})` : ''}`;
}

/** The wasm build and its threads in words, and why it fell back when it did. */
export function describeWasm(wasm: WasmRuntime): string {
  const threads = (count: number): string => `${count} thread${count === 1 ? '' : 's'}`;
  const kernels = wasm.kernels ? `; products and Adam in ${wasm.kernels.build} on ${threads(wasm.kernels.threads)}` : wasm.kernelsMissing ? `; the trainer's kernels do not run: ${wasm.kernelsMissing}` : '';
  return `${wasm.build} build, ${threads(wasm.threads)}${wasm.fallback ? `; ${wasm.fallback}` : ''}${kernels}`;
}
