/**
 * The messages between the VS Code client and the training panel's page.
 * The host forwards trainer events in batches, since a fast run sends
 * thousands of batch events a second and each webview message has a cost.
 *
 * Invariant: this module imports only the training protocol.
 */
import type { TrainerEvent } from './training';

/** Which run the panel shows, before its first event arrives. */
export interface PanelRun {
  /** The .net file's name as shown to the user. */
  file: string;
  model?: string;
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

export type PanelHostMessage = ResetMessage | EventsMessage | SummaryMessage;

/** Page → host: the page has loaded and listens; the host sends the current state. */
export interface ReadyMessage {
  type: 'ready';
}

/** Page → host: the user asked to stop training. */
export interface StopMessage {
  type: 'stop';
}

export type PanelPageMessage = ReadyMessage | StopMessage;

export function isPanelHostMessage(value: unknown): value is PanelHostMessage {
  const message = value as { type?: unknown; events?: unknown; text?: unknown } | null;
  switch (message?.type) {
    case 'reset': return true;
    case 'events': return Array.isArray(message.events);
    case 'summary': return typeof message.text === 'string';
    default: return false;
  }
}

export function isPanelPageMessage(value: unknown): value is PanelPageMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'ready' || type === 'stop';
}
