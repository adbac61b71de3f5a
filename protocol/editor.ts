/**
 * The requests the VS Code client sends the language server beyond LSP, and
 * the run files the client watches for the server: the client asks the
 * server, which has the analysis and reads the run folders, rather than
 * analysing or reading them itself. The commands are in commands.ts.
 *
 * Invariant: this module imports nothing but the protocol's own modules.
 */
import { HISTORY_FILE, RUNS_FOLDER } from './history';
import type { EarlierRun } from './panel';
import type { TrainerEvent } from './training';

/** Request: the earlier runs of a model of a document on disk, for the training panel's Runs tab. */
export const RUNS_REQUEST = 'layerwise/runs';
export interface RunsParams {
  uri: string;
  model: string;
  /** A run folder to leave out (the run on screen). */
  except?: string;
}

/** Request: one run of a model as trainer events (its newest when `dir` is absent), or null. */
export const RUN_REQUEST = 'layerwise/run';
export interface RunParams {
  uri: string;
  model: string;
  dir?: string;
}

/** Request: a document's train blocks, and its first error (a file with errors is not trained). */
export const TRAIN_BLOCKS_REQUEST = 'layerwise/trainBlocks';
export interface TrainBlocksParams {
  uri: string;
}
export interface TrainBlocksResult {
  /** 0-based lines of each block, from `train` to its closing brace. */
  blocks: { index: number; models: string[]; startLine: number; endLine: number }[];
  firstError?: { line: number; character: number; message: string };
}

/**
 * Request: the graph of a document's model (answered as `ModelGraphResult`,
 * or null when the document has no such model): the named `model`; else the
 * one around `position`; else `fallback` (the one a view shows, kept while
 * the cursor is outside every model); else the first.
 */
export const MODEL_GRAPH_REQUEST = 'layerwise/modelGraph';
export interface ModelGraphParams {
  uri: string;
  /** 0-based, as LSP counts. */
  position?: { line: number; character: number };
  model?: string;
  fallback?: string;
}

/** What the run request answers. */
export interface RunResult {
  dir: string;
  events: TrainerEvent[];
  /** The run's model summary (summary.txt). */
  summary?: string;
}

/** What the runs request answers. */
export type RunsResult = EarlierRun[];

/**
 * The files whose changes the client tells the server of (as LSP's watched
 * files): a run's history, rewritten after every epoch, which the run
 * lenses show. A glob relative to any workspace folder.
 */
export const RUN_HISTORY_GLOB = `**/${RUNS_FOLDER.join('/')}/**/${HISTORY_FILE}`;
