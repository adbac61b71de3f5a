/**
 * The size bound for checking as you type. Checking is linear in the text
 * but runs again on every edit, so a document of many megabytes would keep
 * the server busy for seconds a keystroke. Past MAX_DOCUMENT_BYTES a
 * document is not analysed: its analysis is that of an empty file with one
 * `document-too-large` diagnostic at its start, so that every request on
 * it answers at once, with nothing.
 */
import { analyze, DIAGNOSTICS, type Analysis, type Diagnostic } from '../core';

/** 1 MiB: ten times a generated 2,000-layer model (57 KB), and about a second of checking per edit. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

const unchecked = new WeakSet<Analysis>();

/** The analysis of `text`, by `analyzeText`, or the unchecked one when the text is over the bound. */
export function boundedAnalysis(text: string, analyzeText: (text: string) => Analysis, maxBytes = MAX_DOCUMENT_BYTES): Analysis {
  const bytes = sizeOver(text, maxBytes);
  return bytes === undefined ? analyzeText(text) : uncheckedAnalysis(bytes, maxBytes);
}

/** Whether an analysis stands for a document that was too large to check. */
export function isUnchecked(analysis: Analysis): boolean {
  return unchecked.has(analysis);
}

/** The text's size in UTF-8 bytes when it is over the bound; undefined otherwise. */
function sizeOver(text: string, maxBytes: number): number | undefined {
  // A UTF-16 unit is at most three UTF-8 bytes: most texts are decided without counting.
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > maxBytes ? bytes : undefined;
}

function uncheckedAnalysis(bytes: number, maxBytes: number): Analysis {
  const entry = DIAGNOSTICS['document-too-large'];
  const diagnostic: Diagnostic = { code: 'document-too-large', severity: entry.severity, message: entry.message(formatBytes(bytes), formatBytes(maxBytes)), pos: 0, end: 0 };
  const analysis: Analysis = { ...analyze(''), diagnostics: [diagnostic] };
  unchecked.add(analysis);
  return analysis;
}

/** Sizes as people read them: 1 MiB, 8.3 MiB, 512 KiB. */
export function formatBytes(bytes: number): string {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'MiB'] : bytes >= 1024 ? [bytes / 1024, 'KiB'] : [bytes, 'bytes'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}
