/**
 * The training engine: a checked train block becomes tfjs models, data and
 * a fit loop that streams protocol events, honours stop requests after the
 * current batch, and writes the run's artifacts as it goes. Each concern of
 * the fit is a callback of trainer/callbacks/, composed in memberCallbacks.
 * It runs inside the trainer process (trainer/child.ts); tests may run it
 * in-process.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { firstError, formatSummary, type Analysis, type Network, type TrainBlock } from '../core';
import { analyzeWithDataFiles } from '../host/fileDataHost';
import type { BackendAttempt, BackendInfo, BackendName, EvaluationEvent, FinishedEvent, StartRequest, TrainerEvent } from '../protocol/training';
import { BOUNDARY_FILE, DISTRIBUTIONS_FILE, EVALUATION_FILE, HISTORY_FILE, memberFolder, SETTINGS_FILE, SUMMARY_FILE } from '../protocol/history';
import { createRunFolder, defaultRunsDir, writeAtomic, type MemberHistory, type RunHistory, type RunSettings } from './artifacts';
import { EventLog } from './eventLog';
import { selectBackend } from './backends';
import { buildModel } from './buildModel';
import { compileOutputs, fixValidationLogs } from './compile';
import { DataError, prepareData, type PreparedData } from './dataset';
import { FileError, fileProblem } from './fileErrors';
import { BestEpoch } from './callbacks/bestEpoch';
import { RestoreBestWeights } from './callbacks/bestWeights';
import { decisionBoundary } from './callbacks/boundary';
import { LayerDistributionsCallback } from './callbacks/distributions';
import { CallbackList, memberState, type Logs, type MemberState, type TrainingCallback } from './callbacks/callback';
import { EarlyStop } from './callbacks/earlyStop';
import { EpochClock } from './callbacks/epochClock';
import { Evaluation } from './callbacks/evaluation';
import { ProgressEvents } from './callbacks/events';
import { HistoryWriter } from './callbacks/historyWriter';
import { NanGuard } from './callbacks/nanGuard';
import { LearningRateOnPlateau } from './callbacks/plateau';
import { ModelSaver } from './callbacks/saveModel';
import { LearningRateSchedule } from './callbacks/schedule';
import { StopRequest } from './callbacks/stopRequest';
import { BestTracker, defaultBestRule, EarlyStopping, ReduceLROnPlateau } from './monitors';
import { createOptimizer, createSchedule, learningRateOf, tfjsLoss, tfjsMetrics } from './optimizers';

export interface Control {
  /** Set by the parent's `stop`: the run ends after the current batch and keeps what was trained. */
  stopRequested: boolean;
  /** For tests: called after every epoch with tfjs's live tensor count. */
  afterEpoch?(tensors: number): void;
  /** For the bench: false leaves out the per-layer distributions, to measure what they cost. */
  distributions?: boolean;
}

/** A failure that ends the run with a message (and a place, when it has one). */
class RunFailure extends Error {
  constructor(
    message: string,
    readonly where: { file?: string; line?: number; column?: number } = {},
  ) {
    super(message);
  }
}

export async function runTraining(request: StartRequest, emit: (event: TrainerEvent) => void, control: Control): Promise<void> {
  const file = resolve(request.file);
  const randomBefore = Math.random;
  // Every event goes to the run folder's events file before it is sent; a replay reads it.
  const log = new EventLog();
  const tell = (event: TrainerEvent): void => {
    log.record(event);
    emit(event);
  };
  try {
    const analysis = await analyzeFile(file, request.text);
    const block = chooseBlock(analysis, request);
    const models = request.model ? block.models.filter((network) => network.name === request.model) : block.models;
    if (models.length === 0) throw new RunFailure(`train block has no model '${request.model}'`, { file });
    // The batch size decides whether wasm's threads pay off.
    const native = { ...request.native, from: dirname(file) };
    const { backend, info: backendInfo, skipped } = await selectBackend(request.backend ?? 'auto', { batchSize: block.batchSize, native });
    const seed = block.seed ?? Math.floor(Math.random() * 2 ** 31);
    const runsDir = request.runsDir ?? defaultRunsDir(file);
    for (const network of models) {
      if (control.stopRequested) break;
      await trainModel({ analysis, block, network, file, backend, backendInfo, skipped, seed, runsDir, epochs: request.epochs ?? block.epochs }, tell, control);
    }
  } catch (error) {
    // The failure names the folder of the model it stopped, which keeps its finished epochs.
    const failed: TrainerEvent = { ...failure(error, file), ...(log.runDir ? { runDir: log.runDir } : {}) };
    try {
      log.record(failed);
    } catch {
      // The events file is what failed (its folder is gone, the disk is full): the message still goes out.
    }
    emit(failed);
  } finally {
    Math.random = randomBefore;
  }
}

function failure(error: unknown, file: string): TrainerEvent {
  if (error instanceof RunFailure) return { type: 'failed', message: error.message, ...error.where };
  if (error instanceof DataError) return { type: 'failed', message: error.message, file: error.file, line: error.line, column: error.column };
  // The message names the file that could not be read or written, and why.
  if (error instanceof FileError) return { type: 'failed', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  // tfjs reports exhausted memory in several ways; say what it means.
  if (/out of memory|allocation failed|Array buffer allocation|Invalid typed array length/i.test(message)) {
    return { type: 'failed', message: `out of memory: ${message}; try a smaller batch_size or model`, file };
  }
  return { type: 'failed', message, file };
}

async function analyzeFile(file: string, text: string | undefined): Promise<Analysis> {
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw new RunFailure(`cannot read ${file}: ${fileProblem(error, file)}`, { file });
    }
  }
  // The data files' headers and classes are read first, off the event loop, as `layerwise check` reads them.
  const analysis = await analyzeWithDataFiles(source, file);
  const error = firstError(analysis);
  if (error) {
    const at = analysis.lines.positionAt(error.pos);
    throw new RunFailure(`${error.code}: ${error.message}`, { file, line: at.line + 1, column: at.character + 1 });
  }
  return analysis;
}

function chooseBlock(analysis: Analysis, request: StartRequest): TrainBlock {
  const index = request.trainBlock ?? 0;
  const block = analysis.trainBlocks[index];
  if (!block) {
    throw new RunFailure(analysis.trainBlocks.length === 0 ? 'the file has no train block' : `the file has no train block ${index + 1}`, { file: request.file });
  }
  return block;
}

interface ModelRun {
  analysis: Analysis;
  block: TrainBlock;
  network: Network;
  file: string;
  backend: BackendName;
  backendInfo: BackendInfo;
  skipped: BackendAttempt[];
  seed: number;
  runsDir: string;
  epochs: number;
}

async function trainModel(run: ModelRun, emit: (event: TrainerEvent) => void, control: Control): Promise<void> {
  const { block, network, file } = run;
  const data = await prepareData(block, network, { baseDir: dirname(file), seed: run.seed }).catch((error: unknown) => {
    // A problem of the data as a whole (not of a line in a data file) is shown at the train block's data setting.
    if (!(error instanceof DataError) || error.file) throw error;
    const setting = block.settings.get('data')!.value;
    const at = run.analysis.lines.positionAt(setting.pos);
    throw new RunFailure(error.message, { file, line: at.line + 1, column: at.character + 1 });
  });
  for (const warning of data.warnings) emit({ type: 'warning', model: network.name, ...warning });
  const runDir = createRunFolder(run.runsDir, network.name);
  const history: RunHistory = {
    model: network.name,
    file,
    startedAt: new Date().toISOString(),
    backend: run.backend,
    classes: data.classes,
    params: network.params!,
    data: { train: data.train.count, validation: data.validation?.count ?? 0, features: data.featureShape },
    members: [],
  };
  writeAtomic(join(runDir, SUMMARY_FILE), formatSummary(network));
  writeAtomic(join(runDir, SETTINGS_FILE), JSON.stringify(settingsOf(run), null, 2));
  const members: tf.LayersModel[] = [];
  const optimizers: tf.Optimizer[] = [];
  try {
    for (let member = 0; member < run.block.ensemble && !control.stopRequested; member++) {
      const memberDir = join(runDir, ...memberFolder(member, run.block.ensemble));
      const result = await trainMember(run, data, { member, runDir, memberDir, history }, emit, control);
      members.push(result.model);
      optimizers.push(result.optimizer);
      if (result.failed) break;
      // The averaged prediction's accuracy is of a model with one output; one with several has each output's figures in its history.
      if (member === run.block.ensemble - 1 && run.block.ensemble > 1 && !Array.isArray(data.train.y)) {
        history.ensemble = ensembleAccuracy(members, data);
        writeAtomic(join(runDir, HISTORY_FILE), JSON.stringify(history));
        result.finished.ensemble = history.ensemble;
      }
      if (result.evaluation) emit(result.evaluation);
      emit(result.finished);
      if (result.finished.reason === 'stopped') break;
    }
  } finally {
    for (const model of members) model.dispose();
    for (const optimizer of optimizers) optimizer.dispose();
    data.dispose();
  }
}

interface MemberResult {
  model: tf.LayersModel;
  /** tfjs's model.dispose() leaves an optimizer passed as an object alive, with its slots. */
  optimizer: tf.Optimizer;
  finished: FinishedEvent;
  /** For a classifier that trained at least one epoch: sent just before `finished`. */
  evaluation?: EvaluationEvent;
  failed: boolean;
}

async function trainMember(
  run: ModelRun,
  data: PreparedData,
  place: { member: number; runDir: string; memberDir: string; history: RunHistory },
  emit: (event: TrainerEvent) => void,
  control: Control,
): Promise<MemberResult> {
  const { block, network, epochs } = run;
  const { member, runDir, memberDir, history } = place;
  const seed = run.seed + member;
  // tfjs draws initial weights, shuffles and dropout masks from Math.random: seeding it makes a run repeatable.
  seedrandom(String(seed), { global: true });
  const memberLabel = block.ensemble > 1 ? { member } : {};
  const record: MemberHistory = { member, seed, epochs: [], batches: [] };
  history.members.push(record);

  const model = buildModel(network);
  const optimizer = createOptimizer(block.optimizer);
  const metrics = tfjsMetrics(block.metrics);
  const outputs = network.outputs.length > 1 ? compileOutputs(block, network) : undefined;
  model.compile(outputs ? { optimizer, ...outputs.compile } : { optimizer, loss: tfjsLoss(block.loss!.name), metrics: metrics.tfjs });
  if (outputs) fixValidationLogs(model);
  const early = block.callbacks.filter((c) => c.spec.name === 'EarlyStopping').map((c) => new EarlyStopping(c.args))[0];
  // The run's one best epoch (see BestRule): EarlyStopping's own, when there is one, is the epoch whose weights it restores.
  const state = memberState(record, early?.best ?? new BestTracker(defaultBestRule(data.validation !== undefined)));

  const batchesPerEpoch = Math.ceil(data.train.count / block.batchSize);
  emit({
    type: 'started',
    model: network.name,
    ...memberLabel,
    members: block.ensemble,
    params: network.params!,
    backend: run.backend,
    backendInfo: run.backendInfo,
    skipped: run.skipped,
    data: { train: data.train.count, validation: data.validation?.count ?? 0, features: data.featureShape },
    classes: data.classes,
    epochs,
    batchSize: block.batchSize,
    batchesPerEpoch,
    runDir,
  });
  // The data is the same for every member of an ensemble: told once.
  if (member === 0) emit({ type: 'data', model: network.name, ...memberLabel, ...data.overview });

  const label = { model: network.name, ...memberLabel };
  const callbacks = new CallbackList(memberCallbacks({ run, data, model, optimizer, early, state, history, runDir, memberDir, label }, emit, control), {
    rename: renameLogs(outputs ? outputs.rename : metrics.rename, outputs?.weights),
    failed: () => state.nanAt !== undefined,
  });
  await model.fit(data.train.x, data.train.y, {
    epochs,
    batchSize: block.batchSize,
    shuffle: block.shuffle,
    validationData: data.validation ? [data.validation.x, data.validation.y] : undefined,
    verbose: 0,
    callbacks: callbacks.forFit(),
  });

  const { nanAt, reason, restored, best } = state;
  if (nanAt) {
    emit({
      type: 'failed',
      model: network.name,
      message: `loss became NaN at epoch ${nanAt.epoch}, batch ${nanAt.batch}: training stopped; try a lower learning rate, or check the data for missing values`,
      runDir,
    });
    return { model, optimizer, failed: true, finished: finishedEvent() };
  }
  const finished = finishedEvent(state.saved?.modelJson);
  if (state.evaluation) finished.artifacts.evaluation = state.evaluation.path;
  return { model, optimizer, failed: false, finished, evaluation: state.evaluation?.event };

  function finishedEvent(modelPath = ''): FinishedEvent {
    // The values that describe the saved model: its weights are the best epoch's only where they were restored.
    const kept = restored && best.best ? record.epochs[best.best.epoch - 1] : record.epochs[record.epochs.length - 1];
    return {
      type: 'finished',
      model: network.name,
      ...memberLabel,
      reason,
      epochs: record.epochs.length,
      bestEpoch: best.best?.epoch ?? 0,
      ...(best.best ? { best: best.best } : {}),
      restored,
      metrics: kept?.metrics ?? {},
      artifacts: { runDir, history: join(runDir, HISTORY_FILE), settings: join(runDir, SETTINGS_FILE), summary: join(runDir, SUMMARY_FILE), model: modelPath },
    };
  }
}

/** What a member's callbacks are made from. */
interface MemberFit {
  run: ModelRun;
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  early: EarlyStopping | undefined;
  state: MemberState;
  history: RunHistory;
  data: PreparedData;
  runDir: string;
  memberDir: string;
  label: { model: string; member?: number };
}

/**
 * A member's concerns in the order they must run. At an epoch's end: the
 * epoch is measured and judged first, so that the history and the event
 * carry its best epoch; the history is on disk before the event is sent;
 * the layers' distributions follow the epoch's event;
 * the stop request comes last, so that a batch is recorded and sent before
 * the fit ends after it, and a NaN at that batch wins over the stop. At the
 * fit's end: the history records how it ended, then the model is saved,
 * then evaluated. A decision boundary follows the epoch's event, before
 * EarlyStopping may put the best weights back; at the fit's end it predicts
 * the best epoch's grid and puts the last weights back before the save.
 */
function memberCallbacks(fit: MemberFit, emit: (event: TrainerEvent) => void, control: Control): TrainingCallback[] {
  const { run, data, model, optimizer, early, state, label } = fit;
  const schedule = createSchedule(run.block.schedule, learningRateOf(optimizer));
  const history = new HistoryWriter(state, fit.history, join(fit.runDir, HISTORY_FILE));
  const plateau = run.block.callbacks.filter((c) => c.spec.name === 'ReduceLROnPlateau').map((c) => new ReduceLROnPlateau(c.args))[0];
  return [
    new EpochClock(state, optimizer),
    ...(schedule ? [new LearningRateSchedule(optimizer, schedule)] : []),
    new BestEpoch(state, early),
    history,
    new ProgressEvents(state, emit, label, { epochs: run.epochs, samples: data.train.count }),
    // A classifier of two features: its decision boundary, of this epoch's weights (before EarlyStopping may restore the best).
    ...decisionBoundary(state, model, data, control, emit, { label, epochs: run.epochs, path: join(fit.memberDir, BOUNDARY_FILE) }),
    // After the epoch's event, and before EarlyStopping can put the best epoch's weights back: the epoch's own weights.
    ...(control.distributions === false ? [] : [new LayerDistributionsCallback(state, model, run.network, data, { seed: run.seed, epochs: run.epochs, label, emit, path: join(fit.memberDir, DISTRIBUTIONS_FILE) })]),
    new EarlyStop(state, model),
    ...(early?.restoreBestWeights ? [new RestoreBestWeights(state, model)] : []),
    // A schedule sets every step's rate: a plateau's reduction would be overwritten at once.
    ...(plateau && !schedule ? [new LearningRateOnPlateau(plateau, optimizer)] : []),
    new NanGuard(state, model),
    new StopRequest(control, state, model),
    new ModelSaver(state, model, fit.memberDir),
    new Evaluation(state, model, data, { batchSize: run.block.batchSize, label, path: join(fit.memberDir, EVALUATION_FILE), writeHistory: () => history.write() }),
  ];
}

/**
 * tfjs's log names as the file writes them: metrics tfjs names otherwise get
 * the file's names back, a weighted output's loss is divided by its weight
 * (Keras logs the output's own loss; `loss` stays the weighted total), and
 * `batch` and `size` are dropped.
 */
function renameLogs(rename: ReadonlyMap<string, string>, weights?: ReadonlyMap<string, number>): (logs: Logs) => Logs {
  return (logs) => {
    const out: Logs = {};
    for (const [key, value] of Object.entries(logs)) {
      if (key === 'batch' || key === 'size') continue;
      const validation = key.startsWith('val_');
      const base = validation ? key.slice(4) : key;
      const weight = weights?.get(base);
      out[(validation ? 'val_' : '') + (rename.get(base) ?? base)] = weight === undefined ? value : value / weight;
    }
    return out;
  };
}

/** Each member's accuracy and the averaged prediction's, on the validation data (the training data without). */
function ensembleAccuracy(members: tf.LayersModel[], data: PreparedData): { memberAccuracy: number[]; averagedAccuracy: number } {
  const target = data.validation ?? data.train;
  const labels = target.y as tf.Tensor2D; // one output: the engine asks for no ensemble figure of several
  return tf.tidy(() => {
    const predictions = members.map((model) => model.predict(target.x) as tf.Tensor);
    const accuracy = (prediction: tf.Tensor): number => {
      const predicted = prediction.shape[1] === 1 ? prediction.greater(0.5).cast('int32').reshape([-1]) : prediction.argMax(-1);
      const actual = labels.shape[1] === 1 ? labels.greater(0.5).cast('int32').reshape([-1]) : labels.argMax(-1);
      return predicted.equal(actual).cast('float32').mean().dataSync()[0]!;
    };
    const averaged = tf.stack(predictions).mean(0);
    return { memberAccuracy: predictions.map(accuracy), averagedAccuracy: accuracy(averaged) };
  });
}

/** The settings as written in the file, and as the run resolved them. */
function settingsOf(run: ModelRun): RunSettings {
  const written: Record<string, string> = {};
  for (const [key, setting] of run.block.settings) written[key] = run.analysis.text.slice(setting.value.pos, setting.value.end);
  return {
    file: run.file,
    model: run.network.name,
    written,
    resolved: { epochs: run.epochs, batchSize: run.block.batchSize, shuffle: run.block.shuffle, seed: run.seed, ensemble: run.block.ensemble, backend: run.backend },
  };
}
