/**
 * The training engine: a checked train block becomes tfjs models, data and
 * a fit loop that streams protocol events, honours stop requests after the
 * current batch, and writes the run's artifacts as it goes. It runs inside
 * the trainer process (trainer/child.ts); tests may run it in-process.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { firstError, formatSummary, type Analysis, type Network, type TrainBlock } from '../core';
import { analyzeWithDataFiles } from '../host/fileDataHost';
import type { BackendAttempt, BackendName, EvaluationEvent, FinishedEvent, StartRequest, TrainerEvent } from '../protocol/training';
import { EVALUATION_FILE, HISTORY_FILE, SETTINGS_FILE, SUMMARY_FILE } from '../protocol/history';
import { createRunFolder, defaultRunsDir, writeAtomic, type MemberHistory, type RunHistory, type RunSettings } from './artifacts';
import { selectBackend } from './backends';
import { buildModel } from './buildModel';
import { DataError, prepareData, type PreparedData } from './dataset';
import { evaluateClassifier } from './evaluate';
import { FileError, fileProblem } from './fileErrors';
import { BestTracker, defaultBestRule, EarlyStopping, ReduceLROnPlateau } from './monitors';
import { createOptimizer, createSchedule, learningRateOf, setLearningRate, tfjsLoss, tfjsMetrics } from './optimizers';
import { saveModel } from './saveModel';

export interface Control {
  /** Set by the parent's `stop`: the run ends after the current batch and keeps what was trained. */
  stopRequested: boolean;
  /** For tests: called after every epoch with tfjs's live tensor count. */
  afterEpoch?(tensors: number): void;
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
  let runDir: string | undefined;
  const tell = (event: TrainerEvent): void => {
    if (event.type === 'started') runDir = event.runDir;
    else if (event.type === 'finished' || event.type === 'failed') runDir = undefined;
    emit(event);
  };
  try {
    const analysis = await analyzeFile(file, request.text);
    const block = chooseBlock(analysis, request);
    const models = request.model ? block.models.filter((network) => network.name === request.model) : block.models;
    if (models.length === 0) throw new RunFailure(`train block has no model '${request.model}'`, { file });
    // The batch size decides whether wasm's threads pay off.
    const { backend, skipped } = await selectBackend(request.backend ?? 'auto', { batchSize: block.batchSize });
    const seed = block.seed ?? Math.floor(Math.random() * 2 ** 31);
    const runsDir = request.runsDir ?? defaultRunsDir(file);
    for (const network of models) {
      if (control.stopRequested) break;
      await trainModel({ analysis, block, network, file, backend, skipped, seed, runsDir, epochs: request.epochs ?? block.epochs }, tell, control);
    }
  } catch (error) {
    // The failure names the folder of the model it stopped, which keeps its finished epochs.
    emit({ ...failure(error, file), ...(runDir ? { runDir } : {}) });
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
      const memberDir = run.block.ensemble > 1 ? join(runDir, `member-${member + 1}`) : runDir;
      const result = await trainMember(run, data, { member, runDir, memberDir, history }, emit, control);
      members.push(result.model);
      optimizers.push(result.optimizer);
      if (result.failed) break;
      if (member === run.block.ensemble - 1 && run.block.ensemble > 1) {
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
  model.compile({ optimizer, loss: tfjsLoss(block.loss!.name), metrics: metrics.tfjs });
  const schedule = createSchedule(block.schedule, learningRateOf(optimizer));
  const early = block.callbacks.filter((c) => c.spec.name === 'EarlyStopping').map((c) => new EarlyStopping(c.args))[0];
  const plateau = block.callbacks.filter((c) => c.spec.name === 'ReduceLROnPlateau').map((c) => new ReduceLROnPlateau(c.args))[0];
  // The run's one best epoch (see BestRule): EarlyStopping's own, when there is one, is the epoch whose weights it restores.
  const best = early?.best ?? new BestTracker(defaultBestRule(data.validation !== undefined));

  const batchesPerEpoch = Math.ceil(data.train.count / block.batchSize);
  emit({
    type: 'started',
    model: network.name,
    ...memberLabel,
    members: block.ensemble,
    params: network.params!,
    backend: run.backend,
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

  const rename = (logs: Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(logs)) {
      if (key === 'batch' || key === 'size') continue;
      const validation = key.startsWith('val_');
      const base = validation ? key.slice(4) : key;
      out[(validation ? 'val_' : '') + (metrics.rename.get(base) ?? base)] = value;
    }
    return out;
  };

  let step = 0;
  let epochStarted = 0;
  let reason: FinishedEvent['reason'] = 'completed';
  let nanAt: { epoch: number; batch: number } | undefined;
  let bestWeights: tf.Tensor[] | undefined;
  let restored = false;

  await model.fit(data.train.x, data.train.y, {
    epochs,
    batchSize: block.batchSize,
    shuffle: block.shuffle,
    validationData: data.validation ? [data.validation.x, data.validation.y] : undefined,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => {
        epochStarted = performance.now();
      },
      // Every step takes the schedule's rate; the epoch (0-based) is the count of epochs recorded so far.
      onBatchBegin: async () => {
        if (schedule) setLearningRate(optimizer, schedule(step, record.epochs.length));
      },
      onBatchEnd: async (batch, logs) => {
        step++;
        const values = rename(logs ?? {});
        const epoch = record.epochs.length + 1;
        record.batches.push({ epoch, batch: batch + 1, metrics: values });
        emit({ type: 'batch', model: network.name, ...memberLabel, epoch, batch: batch + 1, metrics: values });
        if (!Number.isFinite(values['loss'] ?? NaN)) {
          nanAt = { epoch, batch: batch + 1 };
          model.stopTraining = true;
        } else if (control.stopRequested) {
          reason = 'stopped';
          model.stopTraining = true;
        }
      },
      onEpochEnd: async (epoch, logs) => {
        if (nanAt) return;
        const values = rename(logs ?? {});
        const seconds = (performance.now() - epochStarted) / 1000;
        const learningRate = learningRateOf(optimizer);
        // Decided first, so that the history and the event carry the best epoch up to this one.
        const decision = early ? early.onEpochEnd(epoch + 1, values) : { improved: best.offer(epoch + 1, values), stop: false };
        const bestSoFar = best.best && { best: best.best };
        // A stopped epoch's logs have no validation values; the epoch still counts with what it has.
        record.epochs.push({ epoch: epoch + 1, metrics: values, learningRate, seconds, ...bestSoFar });
        // The history is on disk before anyone hears of the epoch: a run killed then keeps it.
        writeAtomic(join(runDir, HISTORY_FILE), JSON.stringify(history));
        emit({ type: 'epoch', model: network.name, ...memberLabel, epoch: epoch + 1, epochs, metrics: values, learningRate, seconds, samplesPerSecond: data.train.count / seconds, ...bestSoFar });
        if (decision.improved && early?.restoreBestWeights) {
          tf.dispose(bestWeights);
          bestWeights = model.getWeights().map((weight) => tf.keep(weight.clone()));
        } else if (decision.stop) {
          reason = reason === 'stopped' ? reason : 'early-stopping';
          model.stopTraining = true;
          if (early?.restoreBestWeights && bestWeights) {
            model.setWeights(bestWeights);
            restored = true;
          }
        }
        if (plateau && !schedule) {
          const reduced = plateau.onEpochEnd(values, learningRate);
          if (reduced !== undefined) setLearningRate(optimizer, reduced);
        }
        control.afterEpoch?.(tf.memory().numTensors);
      },
    },
  });
  tf.dispose(bestWeights);

  record.bestEpoch = best.best?.epoch ?? 0;
  if (best.best) record.best = best.best;
  record.restored = restored;
  if (nanAt) {
    record.reason = 'failed';
    writeAtomic(join(runDir, HISTORY_FILE), JSON.stringify(history));
    emit({
      type: 'failed',
      model: network.name,
      message: `loss became NaN at epoch ${nanAt.epoch}, batch ${nanAt.batch}: training stopped; try a lower learning rate, or check the data for missing values`,
      runDir,
    });
    return { model, optimizer, failed: true, finished: finishedEvent() };
  }
  record.reason = reason;
  writeAtomic(join(runDir, HISTORY_FILE), JSON.stringify(history));
  const saved = await saveModel(model, memberDir);
  const finished = finishedEvent(saved.modelJson);
  // Once, after the fit: the model as it ends (with the best weights back, where they were restored).
  const evaluated = record.epochs.length > 0 ? evaluateClassifier(model, data, block.batchSize) : undefined;
  let evaluation: EvaluationEvent | undefined;
  if (evaluated) {
    evaluation = { type: 'evaluation', model: network.name, ...memberLabel, ...evaluated };
    finished.artifacts.evaluation = join(memberDir, EVALUATION_FILE);
    writeAtomic(finished.artifacts.evaluation, JSON.stringify(evaluation));
    // The history carries it too, so that a panel reopened later shows the Evaluation tab.
    record.evaluation = { model: network.name, ...memberLabel, ...evaluated };
    writeAtomic(join(runDir, HISTORY_FILE), JSON.stringify(history));
  }
  return { model, optimizer, failed: false, finished, evaluation };

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

/** Each member's accuracy and the averaged prediction's, on the validation data (the training data without). */
function ensembleAccuracy(members: tf.LayersModel[], data: PreparedData): { memberAccuracy: number[]; averagedAccuracy: number } {
  const target = data.validation ?? data.train;
  return tf.tidy(() => {
    const predictions = members.map((model) => model.predict(target.x) as tf.Tensor);
    const accuracy = (prediction: tf.Tensor): number => {
      const predicted = prediction.shape[1] === 1 ? prediction.greater(0.5).cast('int32').reshape([-1]) : prediction.argMax(-1);
      const actual = target.y.shape[1] === 1 ? target.y.greater(0.5).cast('int32').reshape([-1]) : target.y.argMax(-1);
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
