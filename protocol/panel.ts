/**
 * The messages between the VS Code client and the training panel's page.
 * The host forwards trainer events in batches, since a fast run sends
 * thousands of batch events a second and each webview message has a cost.
 *
 * Invariant: this module imports only the training protocol.
 */
import type { EpochRecord, RunSettings } from './history';
import type { TrainerEvent } from './training';

/** Which run the panel shows, before its first event arrives. */
export interface PanelRun {
  /** The .net file's name as shown to the user. */
  file: string;
  /** The models the panel shows: a train block's, in its order, or the one model of a stored run. */
  models?: string[];
  /** The document's uri and the train block's index: which panel this is, kept across a reload. */
  uri?: string;
  trainBlock?: number;
  /** The run folder, once there is one. */
  runDir?: string;
}

/** An earlier run of the same model, from its run folder, for the Runs tab. */
export interface EarlierRun {
  /** The run folder: unique, and what `openRunFolder` names. */
  dir: string;
  startedAt: string;
  backend: string;
  reason?: string;
  /** The last member's epochs (the only member's, outside an ensemble). */
  epochs: EpochRecord[];
  settings?: RunSettings;
}

/** Host → page: forget the shown run (a new one begins). */
export interface ResetMessage {
  type: 'reset';
  run?: PanelRun;
}

/** Host → page: trainer events in the order the trainer sent them. */
export interface EventsMessage {
  type: 'events';
  events: TrainerEvent[];
}

/** Host → page: the model summary as `layerwise summary` prints it. */
export interface SummaryMessage {
  type: 'summary';
  text: string;
}

/** Host → page: the earlier runs of the shown model, oldest first (the current run is not among them). */
export interface RunsMessage {
  type: 'runs';
  runs: EarlierRun[];
}

export type PanelHostMessage = ResetMessage | EventsMessage | SummaryMessage | RunsMessage;

/** Page → host: the page has loaded and listens; the host sends the current state. */
export interface ReadyMessage {
  type: 'ready';
}

/** Page → host: the user asked to stop training. */
export interface StopMessage {
  type: 'stop';
}

/** Page → host: save the shown run's trained model elsewhere (the host asks where). */
export interface SaveModelMessage {
  type: 'saveModel';
}

/** Page → host: reveal a run folder (the shown run's when `dir` is absent). */
export interface OpenRunFolderMessage {
  type: 'openRunFolder';
  dir?: string;
}

/** Page → host: save an exported chart or history (the host asks where, suggesting `fileName`). */
export interface ExportMessage {
  type: 'export';
  format: 'png' | 'svg' | 'csv';
  fileName: string;
  /** The file's content: base64 for png, text otherwise. */
  content: string;
}

/** Page → host: open a file at a position (a failed run's error link); 1-based. */
export interface OpenLocationMessage {
  type: 'openLocation';
  file: string;
  line?: number;
  column?: number;
}

export type PanelPageMessage = ReadyMessage | StopMessage | SaveModelMessage | OpenRunFolderMessage | ExportMessage | OpenLocationMessage;

export function isPanelHostMessage(value: unknown): value is PanelHostMessage {
  const message = value as { type?: unknown; events?: unknown; text?: unknown } | null;
  switch (message?.type) {
    case 'reset': return true;
    case 'events': return Array.isArray(message.events);
    case 'summary': return typeof message.text === 'string';
    case 'runs': return Array.isArray((value as { runs?: unknown }).runs);
    default: return false;
  }
}

export function isPanelPageMessage(value: unknown): value is PanelPageMessage {
  const message = value as { type?: unknown; format?: unknown; fileName?: unknown; content?: unknown; file?: unknown; dir?: unknown } | null;
  switch (message?.type) {
    case 'ready':
    case 'stop':
    case 'saveModel':
      return true;
    case 'openRunFolder': return message.dir === undefined || typeof message.dir === 'string';
    case 'export':
      return (message.format === 'png' || message.format === 'svg' || message.format === 'csv') && typeof message.fileName === 'string' && typeof message.content === 'string';
    case 'openLocation': return typeof message.file === 'string';
    default: return false;
  }
}
