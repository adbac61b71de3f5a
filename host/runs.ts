/**
 * Reading run folders (`.layerwise/runs/<model>/<timestamp>/`, written by
 * the trainer): the command line lists them, the language server shows each
 * model's last run in code lenses and hovers, and the editor's panel shows
 * earlier runs beside the current one, and replays a run from the events
 * the trainer sent (events.jsonl; rebuilt from history.json for folders
 * written before that file). Unreadable folders are skipped: a run being
 * written, or one from another version, never breaks a listing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RunRecord } from '../core';
import { EVENTS_FILE, HISTORY_FILE, memberFolder, MODEL_FILE, RUNS_FOLDER, SETTINGS_FILE, SUMMARY_FILE, type RunHistory, type RunSettings } from '../protocol/history';
import type { EarlierRun } from '../protocol/panel';
import { isTrainerEvent, type StartedEvent, type TrainerEvent } from '../protocol/training';

/** The runs folder of a .net file. */
export function runsDirOf(netFile: string): string {
  return join(dirname(netFile), ...RUNS_FOLDER);
}

export interface StoredRun {
  model: string;
  dir: string;
  history: RunHistory;
  settings?: RunSettings;
}

/** Parsed files by path, kept while their size and modification time stay the same; the least recently used go first. */
const cache = new Map<string, { mtimeMs: number; size: number; value: unknown }>();
const CACHED_FILES = 64;

function readJson(path: string): unknown {
  const stat = statSync(path);
  const cached = cache.get(path);
  cache.delete(path);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
    cache.set(path, cached);
    return cached.value;
  }
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  cache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, value });
  if (cache.size > CACHED_FILES) cache.delete(cache.keys().next().value!);
  return value;
}

function folders(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function readRun(model: string, dir: string): StoredRun | undefined {
  try {
    const history = readJson(join(dir, HISTORY_FILE)) as RunHistory;
    if (!Array.isArray(history.members) || typeof history.startedAt !== 'string') return undefined;
    let settings: RunSettings | undefined;
    try {
      settings = readJson(join(dir, SETTINGS_FILE)) as RunSettings;
    } catch {
      // A run is shown without its settings rather than not at all.
    }
    return { model, dir, history, settings };
  } catch {
    return undefined;
  }
}

/** The runs of one model (of every model when absent), oldest first. */
export function readRuns(runsDir: string, model?: string): StoredRun[] {
  const models = model === undefined ? folders(runsDir) : [model];
  const runs: StoredRun[] = [];
  for (const name of models) {
    for (const stamp of folders(join(runsDir, name))) {
      const run = readRun(name, join(runsDir, name, stamp));
      if (run) runs.push(run);
    }
  }
  return runs.sort((a, b) => a.history.startedAt.localeCompare(b.history.startedAt) || a.dir.localeCompare(b.dir));
}

/** The member whose epochs stand for the run: the last one (the only one outside an ensemble). */
function lastMember(history: RunHistory): RunHistory['members'][number] | undefined {
  return history.members[history.members.length - 1];
}

/** The trainer's best epoch of a member, as the editor shows it: the latest one it wrote, and whether the saved model holds its weights. */
function bestOf(member: RunHistory['members'][number] | undefined): Pick<RunRecord, 'best'> {
  const best = member?.best ?? member?.epochs[member.epochs.length - 1]?.best;
  return best ? { best: { epoch: best.epoch, monitor: best.monitor, value: best.value, restored: member?.restored ?? false } } : {};
}

/** A stored run as the editor's lenses and hovers show it. */
export function runRecord(run: StoredRun): RunRecord {
  const member = lastMember(run.history);
  return {
    model: run.model,
    startedAt: run.history.startedAt,
    epochs: (member?.epochs ?? []).map(({ epoch, metrics }) => ({ epoch, metrics })),
    plannedEpochs: run.settings?.resolved.epochs,
    reason: member?.reason,
    dir: run.dir,
    ...bestOf(member),
  };
}

/**
 * A model's newest readable run. Run folders are named by their start time
 * (`2026-11-27T20-46-53-408Z`, then `…-2` for a second one that instant),
 * so the names sort by it and only the newest folders are read.
 */
export function newestRun(runsDir: string, model: string): StoredRun | undefined {
  const stamps = folders(join(runsDir, model)).sort().reverse();
  for (const stamp of stamps) {
    const run = readRun(model, join(runsDir, model, stamp));
    if (run) return run;
  }
  return undefined;
}

/** A model's newest run as the editor's lenses and hovers show it, or undefined when it has none. */
export function lastRun(runsDir: string, model: string): RunRecord | undefined {
  const newest = newestRun(runsDir, model);
  return newest && runRecord(newest);
}

/** The runs of a model for the panel's Runs tab, oldest first, without `except` (the run on screen). */
export function earlierRuns(runsDir: string, model: string, except?: string): EarlierRun[] {
  return readRuns(runsDir, model)
    .filter((run) => run.dir !== except)
    .map((run) => {
      const member = lastMember(run.history);
      return { dir: run.dir, startedAt: run.history.startedAt, backend: run.history.backend, reason: member?.reason, epochs: member?.epochs ?? [], settings: run.settings };
    });
}

export interface RunListing {
  model: string;
  dir: string;
  startedAt: string;
  epochs: number;
  reason?: string;
  /** The last epoch's metrics. */
  metrics?: Record<string, number>;
}

/** Every run under a runs folder, oldest first, as `layerwise runs` lists them. */
export function listRuns(runsDir: string): RunListing[] {
  return readRuns(runsDir).map((run) => {
    const member = lastMember(run.history);
    const last = member?.epochs[member.epochs.length - 1];
    return { model: run.model, dir: run.dir, startedAt: run.history.startedAt, epochs: member?.epochs.length ?? 0, reason: member?.reason, metrics: last?.metrics };
  });
}

/**
 * The lines of an events file as events, up to the last whole line: a
 * line without its newline is a write cut short, and nothing after a line
 * that is not an event is trusted.
 */
function parseEventLines(text: string): TrainerEvent[] {
  const lines = text.split('\n');
  // After the last newline: empty, or a line not yet (or never) written whole.
  lines.pop();
  const events: TrainerEvent[] = [];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      break;
    }
    if (!isTrainerEvent(value)) break;
    events.push(value);
  }
  return events;
}

/** Whether `events` end the run: a failure, a stop, or the `finished` of its last member. */
function ended(events: TrainerEvent[]): boolean {
  const last = events[events.length - 1];
  if (last?.type === 'failed') return true;
  if (last?.type !== 'finished') return false;
  const members = events.reduce((count, event) => (event.type === 'started' ? event.members : count), 1);
  return last.reason === 'stopped' || last.member === undefined || last.member === members - 1;
}

/**
 * A run's events as the trainer sent them (its events file), or undefined
 * for a run folder written before there was one. A run that did not end
 * (a killed trainer, or one still training) ends with a failure that says so.
 */
function sentEvents(run: StoredRun): TrainerEvent[] | undefined {
  let events: TrainerEvent[];
  try {
    // Read afresh each time, not cached as the small JSON files are: a replay is asked for once, and the file holds every batch.
    events = parseEventLines(readFileSync(join(run.dir, EVENTS_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  return ended(events) ? events : [...events, unfinished(run.dir)];
}

function unfinished(runDir: string): TrainerEvent {
  return { type: 'failed', message: 'the run ended without finishing (the trainer was stopped or killed)', runDir };
}

/**
 * A stored run as the trainer's events, for a panel that shows it after
 * the fact (a reload, a lens): the events it sent, or for a run folder
 * written before those were kept, the events rebuilt from its history.
 */
export function runEvents(run: StoredRun): TrainerEvent[] {
  return sentEvents(run) ?? historyEvents(run);
}

/** The events of a run folder that has only its history (written before events files): what the history holds. */
function historyEvents(run: StoredRun): TrainerEvent[] {
  const { history, settings } = run;
  const events: TrainerEvent[] = [];
  const members = history.members.length;
  for (const member of history.members) {
    const memberLabel = members > 1 ? { member: member.member } : {};
    const batchesPerEpoch = member.batches.reduce((most, batch) => Math.max(most, batch.batch), 0);
    const plannedEpochs = settings?.resolved.epochs ?? member.epochs.length;
    events.push({
      type: 'started',
      model: history.model,
      ...memberLabel,
      members,
      params: history.params ?? { total: 0, trainable: 0, nonTrainable: 0 },
      backend: history.backend as StartedEvent['backend'],
      skipped: [],
      data: history.data ?? { train: 0, validation: 0, features: [] },
      classes: history.classes,
      epochs: plannedEpochs,
      batchSize: settings?.resolved.batchSize ?? 0,
      batchesPerEpoch: Math.max(1, batchesPerEpoch),
      runDir: run.dir,
    });
    let batch = 0;
    for (const epoch of member.epochs) {
      for (; batch < member.batches.length && member.batches[batch]!.epoch <= epoch.epoch; batch++) {
        events.push({ type: 'batch', model: history.model, ...memberLabel, ...member.batches[batch]! });
      }
      const samples = history.data?.train;
      events.push({
        type: 'epoch',
        model: history.model,
        ...memberLabel,
        epoch: epoch.epoch,
        epochs: plannedEpochs,
        metrics: epoch.metrics,
        learningRate: epoch.learningRate,
        seconds: epoch.seconds,
        samplesPerSecond: samples && epoch.seconds > 0 ? samples / epoch.seconds : 0,
        ...(epoch.best ? { best: epoch.best } : {}),
      });
    }
    const evaluation = member.evaluation;
    if (evaluation) events.push({ ...evaluation, type: 'evaluation' });
    // The values that describe the saved model, as the trainer's own `finished` gave them.
    const kept = member.restored && member.best ? member.epochs[member.best.epoch - 1] : member.epochs[member.epochs.length - 1];
    if (member.reason === 'failed' || !member.reason) {
      events.push(member.reason === 'failed' ? { type: 'failed', model: history.model, message: 'the run failed (see its output)', runDir: run.dir } : { ...unfinished(run.dir), model: history.model });
      break;
    }
    events.push({
      type: 'finished',
      model: history.model,
      ...memberLabel,
      reason: member.reason,
      epochs: member.epochs.length,
      bestEpoch: member.best?.epoch ?? member.bestEpoch ?? 0,
      ...(member.best ? { best: member.best } : {}),
      ...(member.restored !== undefined ? { restored: member.restored } : {}),
      metrics: kept?.metrics ?? {},
      ...(member.member === members - 1 && history.ensemble ? { ensemble: history.ensemble } : {}),
      artifacts: {
        runDir: run.dir,
        history: join(run.dir, HISTORY_FILE),
        settings: join(run.dir, SETTINGS_FILE),
        summary: join(run.dir, SUMMARY_FILE),
        model: join(run.dir, ...memberFolder(member.member, members), MODEL_FILE),
      },
    });
  }
  return events;
}

/**
 * One run of a model as the panel replays it: its events and its model
 * summary. `dir` names a run folder of that model; without it, the newest.
 */
export function modelRun(runsDir: string, model: string, dir?: string): { dir: string; events: TrainerEvent[]; summary?: string } | undefined {
  const run = dir === undefined ? newestRun(runsDir, model) : dir === join(runsDir, model, basename(dir)) ? readRun(model, dir) : undefined;
  if (!run) return undefined;
  let summary: string | undefined;
  try {
    summary = readFileSync(join(run.dir, SUMMARY_FILE), 'utf8');
  } catch {
    // The summary tab then says it has none.
  }
  return { dir: run.dir, events: runEvents(run), summary };
}
