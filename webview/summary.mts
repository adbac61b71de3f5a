/// <reference lib="dom" />
/**
 * The Summary tab: the Keras-style table that `layerwise summary` prints,
 * as a data grid. The text's header row gives the columns (Layer (type),
 * Output Shape, Param #, and Connected to for functional models); a row
 * whose first column is blank continues the row above (a layer fed by
 * several tensors). The totals stay as text below the grid.
 */

export interface SummaryTable {
  title: string;
  columns: string[];
  rows: Record<string, string>[];
  totals: string[];
}

/** The table in a summary's text, or undefined when the text is not one. */
export function parseSummary(text: string): SummaryTable | undefined {
  const lines = text.split('\n');
  const headerIndex = lines.findIndex((line) => line.includes('Layer (type)') && line.includes('Output Shape'));
  if (headerIndex < 0) return undefined;
  const header = lines[headerIndex]!;
  const names = header.trim().split(/\s{2,}/);
  const starts = names.map((name) => header.indexOf(name));
  if (starts.some((start) => start < 0)) return undefined;
  const ruled = (line: string | undefined) => line !== undefined && /^=+$/.test(line.trim());
  let end = headerIndex + 2;
  if (!ruled(lines[headerIndex + 1])) return undefined;
  const rows: Record<string, string>[] = [];
  for (; end < lines.length && !ruled(lines[end]); end++) {
    const line = lines[end]!;
    if (line.trim() === '') continue;
    const cells = starts.map((start, i) => line.slice(start === 0 ? 0 : start, starts[i + 1] ?? line.length).trim());
    const last = rows[rows.length - 1];
    if (cells[0] === '' && last) {
      // A continuation: more inputs of the layer above.
      names.forEach((name, i) => {
        if (cells[i]) last[name] = `${last[name]} ${cells[i]}`.trim();
      });
      continue;
    }
    rows.push(Object.fromEntries(names.map((name, i) => [name, cells[i]!])));
  }
  const totals = lines.slice(end + 1).filter((line) => line.trim() !== '' && !/^_+$/.test(line.trim()));
  const title = lines.slice(0, headerIndex).find((line) => line.startsWith('Model:')) ?? '';
  return { title, columns: names, rows, totals };
}

type Grid = HTMLElement & { rowsData: Record<string, string>[]; columnDefinitions: { columnDataKey: string; title: string }[] | null };

/** Fills the grid and the text below it; without a parsable table, the text shows the whole summary. */
export function renderSummary(grid: HTMLElement, below: HTMLElement, text: string | undefined): void {
  const table = text === undefined ? undefined : parseSummary(text);
  const target = grid as Grid;
  if (!table) {
    target.hidden = true;
    target.rowsData = [];
    below.textContent = text ?? 'No summary yet.';
    return;
  }
  target.hidden = false;
  target.columnDefinitions = table.columns.map((name) => ({ columnDataKey: name, title: name }));
  target.rowsData = table.rows;
  below.textContent = [table.title, ...table.totals].filter(Boolean).join('\n');
}
