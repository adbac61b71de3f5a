/**
 * Trainer event streams built by hand in the protocol's shape, for what a
 * recorded run does not show: ensembles, crafted curves, data and
 * evaluation events, and runs long enough to stress the page.
 */
import type { BatchEvent, BestEpoch, EpochEvent, FinishedEvent, StartedEvent, TrainerEvent } from '../protocol/training';

export interface SyntheticRun {
  model?: string;
  epochs: number;
  batchesPerEpoch: number;
  members?: number;
  classes?: (string | number)[];
  /** Per-batch metrics (1-based epoch and batch); a falling loss with a wobble by default. */
  batch?: (member: number, epoch: number, batch: number) => Record<string, number>;
  /** Per-epoch metrics, `val_` twins included. */
  epoch?: (member: number, epoch: number) => Record<string, number>;
  seconds?: number;
  /** The finished event's ensemble accuracies. */
  ensemble?: FinishedEvent['ensemble'];
  /** Leave the last member unfinished after this many epochs. */
  stopAfter?: number;
}

const defaultBatch = (member: number, epoch: number, batch: number): Record<string, number> => {
  const t = epoch - 1 + batch / 100;
  return { loss: 1 / (1 + t) + 0.05 * Math.sin(batch * 1.7 + member), acc: 1 - 0.5 / (1 + t) + 0.02 * Math.cos(batch * 0.9) };
};

const defaultEpoch = (member: number, epoch: number): Record<string, number> => ({
  loss: 1 / epoch + member * 0.01,
  acc: 1 - 0.5 / epoch,
  val_loss: 1.1 / epoch + member * 0.02,
  val_acc: 0.95 - 0.5 / epoch,
});

export function startedEvent(options: { model: string; epochs: number; batchesPerEpoch: number; member?: number; members?: number; classes?: (string | number)[] }): StartedEvent {
  const members = options.members ?? 1;
  return {
    type: 'started',
    model: options.model,
    ...(members > 1 ? { member: options.member ?? 0 } : {}),
    members,
    params: { total: 1234, trainable: 1234, nonTrainable: 0 },
    backend: 'cpu',
    skipped: [],
    data: { train: options.batchesPerEpoch * 32, validation: options.batchesPerEpoch * 8, features: [4] },
    classes: options.classes ?? [0, 1],
    epochs: options.epochs,
    batchSize: 32,
    batchesPerEpoch: options.batchesPerEpoch,
    runDir: `/runs/${options.model}/2024-01-01T00-00-00`,
  };
}

/** A run's events, member after member as the engine sends them. */
export function syntheticRun(run: SyntheticRun): TrainerEvent[] {
  const model = run.model ?? 'Synthetic';
  const members = run.members ?? 1;
  const batchMetrics = run.batch ?? defaultBatch;
  const epochMetrics = run.epoch ?? defaultEpoch;
  const events: TrainerEvent[] = [];
  for (let member = 0; member < members; member++) {
    const tag = members > 1 ? { member } : {};
    events.push(startedEvent({ model, epochs: run.epochs, batchesPerEpoch: run.batchesPerEpoch, member, members, ...(run.classes ? { classes: run.classes } : {}) }));
    const last = member === members - 1;
    const epochs = last && run.stopAfter !== undefined ? run.stopAfter : run.epochs;
    // The best epoch as the trainer picks it without EarlyStopping: the lowest val_loss (loss without validation data).
    const monitor = Object.keys(epochMetrics(member, 1)).includes('val_loss') ? 'val_loss' : 'loss';
    let best: BestEpoch | undefined;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      for (let batch = 1; batch <= run.batchesPerEpoch; batch++) {
        events.push({ type: 'batch', model, ...tag, epoch, batch, metrics: batchMetrics(member, epoch, batch) } satisfies BatchEvent);
      }
      const metrics = epochMetrics(member, epoch);
      if (!best || metrics[monitor]! < best.value) best = { monitor, mode: 'min', minDelta: 0, epoch, value: metrics[monitor]! };
      events.push({ type: 'epoch', model, ...tag, epoch, epochs: run.epochs, metrics, learningRate: 0.01, seconds: run.seconds ?? 1, samplesPerSecond: 1000, best } satisfies EpochEvent);
    }
    if (epochs < run.epochs) break;
    const metrics = epochMetrics(member, run.epochs);
    events.push({
      type: 'finished', model, ...tag, reason: 'completed', epochs: run.epochs, bestEpoch: best!.epoch, best, restored: false, metrics,
      ...(last && run.ensemble ? { ensemble: run.ensemble } : {}),
      artifacts: { runDir: `/runs/${model}/2024-01-01T00-00-00`, history: 'history.json', settings: 'settings.json', summary: 'summary.txt', model: 'model/model.json' },
    } satisfies FinishedEvent);
  }
  return events;
}
