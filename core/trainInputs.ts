/**
 * Data for a model with several inputs: a source names the columns of each
 * input by the input's name (`inputs={features: "f0:f63", extra: "e0:e7"}`).
 * The columns are resolved against a CSV header here, for the checker and
 * the trainer alike, so both read `"first:last"` the same way.
 */
import { elementCount, formatShape } from './catalog/shape';
import type { KeyedColumns, KeyedEntry } from './catalog/types';
import { createDiagnostic, createSuggestedDiagnostic, type Diagnostic } from './diagnostics';
import type { Network } from './shapes';
import { closestMatch } from './suggest';
import type { TextRange } from './syntax/tree';

/** One input's columns, as indices into the header, in the order written. */
export interface InputColumns {
  /** The input's name, as the dict's key writes it. */
  name: string;
  columns: number[];
  /** False when a written column did not resolve: the count is then not checked. */
  complete: boolean;
}

/** What the checker needs of each input the data names: how many values a sample it gives, and in what. */
export interface InputSize {
  /** The input's name, as the dict's key writes it. */
  name: string;
  /** Values a sample: a CSV file's columns, or an array's values past its first axis. */
  size: number;
  /** `column` for a CSV file, `value` for an array. */
  unit: 'column' | 'value';
  /** False when a written column or array did not resolve: the size is then not checked. */
  complete: boolean;
}

/** Why a written column does not resolve: which one, and the written text's index in its entry. */
export interface ColumnProblem {
  kind: 'not-found' | 'reused';
  column: string;
  /** For 'reused': what the column is already (the label, or another input's). */
  use?: string;
  entry: KeyedEntry;
  /** Index into the entry's written columns. */
  at: number;
}

/**
 * The header indices of each entry's columns. A name is a column when the
 * header holds it as written; otherwise `first:last` is the columns from
 * first to last, inclusive, in header order. A column used twice, or used
 * as a label, is a problem, as is one the header lacks.
 */
export function resolveInputColumns(keyed: KeyedColumns, header: readonly string[], labels: readonly string[]): { inputs: InputColumns[]; problems: ColumnProblem[] } {
  const owner = new Map<number, string>();
  for (const label of labels) if (header.includes(label)) owner.set(header.indexOf(label), 'a label');
  const problems: ColumnProblem[] = [];
  const inputs = keyed.entries.map((entry): InputColumns => {
    const columns: number[] = [];
    let complete = true;
    entry.columns.forEach((written, at) => {
      const found = columnsOf(written, header);
      if (typeof found === 'string') {
        problems.push({ kind: 'not-found', column: found, entry, at });
        complete = false;
        return;
      }
      for (const index of found) {
        const name = header[index]!;
        const use = owner.get(index);
        if (use !== undefined) {
          problems.push({ kind: 'reused', column: name, use, entry, at });
          complete = false;
          return;
        }
        owner.set(index, `a column of '${entry.key}'`);
        columns.push(index);
      }
    });
    return { name: entry.key, columns, complete };
  });
  return { inputs, problems };
}

/** One written column as header indices, or the name the header lacks. */
function columnsOf(written: string, header: readonly string[]): number[] | string {
  const exact = header.indexOf(written);
  if (exact >= 0) return [exact];
  const colon = written.indexOf(':');
  if (colon < 0) return written;
  const first = written.slice(0, colon).trim();
  const last = written.slice(colon + 1).trim();
  const from = header.indexOf(first);
  if (from < 0) return first;
  const to = header.indexOf(last);
  if (to < 0) return last;
  const [low, high] = from <= to ? [from, to] : [to, from];
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

/** The diagnostics of resolveInputColumns's problems, each on the written column. */
export function columnDiagnostics(problems: readonly ColumnProblem[], header: readonly string[], path: string): Diagnostic[] {
  return problems.map((problem) => {
    const range = problem.entry.columnRanges[problem.at] ?? problem.entry.range;
    if (problem.kind === 'reused') return createDiagnostic('data-column-reused', range, problem.column, problem.use ?? 'used');
    const suggestion = closestMatch(problem.column, header);
    // A column written whole is replaced whole; in a range, the message names the fix.
    const whole = problem.entry.columns[problem.at] === problem.column && suggestion !== undefined;
    return createSuggestedDiagnostic('data-column-not-found', range, whole ? JSON.stringify(suggestion) : undefined, problem.column, path, suggestion);
  });
}

/**
 * Every input of the model has data, every key is an input, and each
 * input's columns fill its shape. `inputsRange` is where the data names
 * its inputs (the `inputs=` argument, or the data call without one).
 */
export function checkInputColumns(
  network: Network,
  keyed: KeyedColumns | undefined,
  resolved: readonly InputSize[] | undefined,
  inputsRange: TextRange,
  diagnostics: Diagnostic[],
): void {
  const names = network.inputs.map((input) => input.name);
  const keys = keyed?.entries.map((entry) => entry.key) ?? [];
  for (const entry of keyed?.entries ?? []) {
    if (names.includes(entry.key)) continue;
    const suggestion = closestMatch(entry.key, names.filter((name) => !keys.includes(name)));
    diagnostics.push(createSuggestedDiagnostic('unknown-input', entry.keyRange, suggestion, entry.key, network.name, suggestion));
  }
  for (const name of names) {
    if (keys.includes(name)) continue;
    diagnostics.push(createDiagnostic('data-input-missing', inputsRange, name, network.name, `inputs={${names.map((n) => `${n}: "…"`).join(', ')}}`));
  }
  if (!keyed || !resolved) return;
  keyed.entries.forEach((entry, i) => {
    const input = network.inputs.find((candidate) => candidate.name === entry.key);
    const shape = input?.outputShape;
    const count = shape ? elementCount(shape) : null;
    const { size, unit, complete } = resolved[i]!;
    if (count === null || count === undefined || !complete || size === count) return;
    const message = `inputs=${entry.key} gives ${size} ${unit}${size === 1 ? '' : 's'} per sample, but input '${entry.key}' of model '${network.name}' takes ${formatShape(shape!)} (${count} values)`;
    diagnostics.push(createDiagnostic('data-shape-mismatch', entry.range, message));
  });
}
