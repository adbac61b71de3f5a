/// <reference lib="dom" />
/**
 * The Data, Evaluation and Runs tabs: built from a `data` event, an
 * `evaluation` event and a `runs` message when these change, never per frame.
 * Images are drawn on canvases from their pixel arrays.
 */
import type { EarlierRun } from '../protocol/panel.js';
import type { DataEvent, EvaluationEvent, ImageShape } from '../protocol/training.js';
import { lineWidth, rgba, type ChartSpec, type Theme } from './charts.mjs';

type Classes = readonly (string | number)[] | undefined;

export const className = (classes: Classes, index: number): string => String(classes?.[index] ?? index);

export const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** Creates an element with a class and children (text or elements). */
export function make<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/** An image (row-major height × width × channels, 0–255) on a canvas, shown enlarged with sharp pixels. */
export function imageCanvas(shape: ImageShape, pixels: readonly number[]): HTMLCanvasElement {
  const canvas = make('canvas', 'sample-image');
  canvas.width = shape.width;
  canvas.height = shape.height;
  const image = new ImageData(shape.width, shape.height);
  const count = shape.width * shape.height;
  for (let i = 0; i < count; i++) {
    const [r, g, b] = shape.channels === 1
      ? [pixels[i], pixels[i], pixels[i]]
      : [pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2]];
    image.data[i * 4] = r ?? 0;
    image.data[i * 4 + 1] = g ?? 0;
    image.data[i * 4 + 2] = b ?? 0;
    image.data[i * 4 + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  const scale = Math.max(1, Math.floor(64 / Math.max(shape.width, shape.height)));
  canvas.style.width = `${shape.width * scale}px`;
  canvas.style.height = `${shape.height * scale}px`;
  return canvas;
}

/** A bar of a grouped bar chart drawn as a table cell: the bar and its count. */
function barCell(kind: 'train' | 'validation', count: number, total: number, scale: number): HTMLTableCellElement {
  const bar = make('span', `bar ${kind}`);
  bar.style.width = `${scale > 0 ? (count / scale) * 100 : 0}%`;
  const cell = make('td', kind, make('div', 'bar-cell', make('span', 'bar-track', bar), make('span', 'count', `${count.toLocaleString('en-US')}${total ? ` · ${percent(count / total)}` : ''}`)));
  cell.dataset['count'] = String(count);
  return cell;
}

/** The Data tab: each class's training and validation counts as grouped bars, and the sample images. */
export function renderData(root: HTMLElement, data: DataEvent | undefined, classes: Classes): void {
  const counts = data?.labelCounts;
  const images = data?.images;
  const labels = root.querySelector<HTMLElement>('#data-labels')!;
  const samples = root.querySelector<HTMLElement>('#data-images')!;
  root.querySelector<HTMLElement>('#data-empty')!.hidden = Boolean(counts || images);
  labels.hidden = !counts;
  samples.hidden = !images;

  const table = labels.querySelector('table')!;
  table.replaceChildren();
  if (counts) {
    const trainTotal = counts.train.reduce((a, b) => a + b, 0);
    const validationTotal = counts.validation.reduce((a, b) => a + b, 0);
    const scale = Math.max(0, ...counts.train, ...counts.validation);
    table.append(make('thead', '', make('tr', '', make('th', '', 'Class'), make('th', '', `Training (${trainTotal.toLocaleString('en-US')})`), make('th', '', `Validation (${validationTotal.toLocaleString('en-US')})`))));
    const body = make('tbody');
    const rows = Math.max(counts.train.length, counts.validation.length);
    for (let i = 0; i < rows; i++) {
      const row = make('tr', '', make('th', '', className(classes, i)), barCell('train', counts.train[i] ?? 0, trainTotal, scale), barCell('validation', counts.validation[i] ?? 0, validationTotal, scale));
      row.dataset['class'] = className(classes, i);
      body.append(row);
    }
    table.append(body);
  }

  const grid = samples.querySelector<HTMLElement>('.samples')!;
  grid.replaceChildren();
  if (images) {
    for (const sample of images.samples) {
      const figure = make('figure', 'sample', imageCanvas(images.shape, sample.pixels), make('figcaption', '', className(classes, sample.label)));
      figure.dataset['label'] = String(sample.label);
      grid.append(figure);
    }
  }
}

/** The Evaluation tab: the evaluated model's name, the confusion matrix as a heat map, each class's accuracy, and the worst-classified samples. */
export function renderEvaluation(root: HTMLElement, evaluation: EvaluationEvent | undefined, theme: Theme, members: number): void {
  root.querySelector<HTMLElement>('#evaluation-empty')!.hidden = Boolean(evaluation);
  const view = root.querySelector<HTMLElement>('#evaluation')!;
  view.hidden = !evaluation;
  if (!evaluation) return;
  const { classes, confusion } = evaluation;
  const total = confusion.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  const correct = confusion.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
  const member = members > 1 && evaluation.member !== undefined ? ` · member ${evaluation.member + 1} of ${members}` : '';
  root.querySelector<HTMLElement>('#evaluation-caption')!.textContent =
    `${evaluation.model} on the ${evaluation.on === 'validation' ? 'validation' : 'training'} data: ${correct.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} right (${total ? percent(correct / total) : '–'})${member}`;

  const matrix = root.querySelector<HTMLTableElement>('#confusion')!;
  matrix.replaceChildren();
  const head = make('tr', '', make('th', 'corner', 'true ╲ predicted'));
  classes.forEach((_, p) => head.append(make('th', 'predicted', className(classes, p))));
  matrix.append(make('thead', '', head));
  const body = make('tbody');
  confusion.forEach((row, t) => {
    const rowTotal = row.reduce((a, b) => a + b, 0);
    const tr = make('tr', '', make('th', 'true', className(classes, t)));
    classes.forEach((_, p) => {
      const count = row[p] ?? 0;
      const cell = make('td', p === t ? 'cell diagonal' : 'cell', count.toLocaleString('en-US'));
      cell.dataset['count'] = String(count);
      const share = rowTotal ? count / rowTotal : 0;
      cell.style.backgroundColor = rgba(p === t ? theme.blue : theme.orange, share * (theme.highContrast ? 0.9 : 0.7));
      cell.title = `${className(classes, t)} predicted as ${className(classes, p)}: ${count}${rowTotal ? ` (${percent(share)} of the class)` : ''}`;
      tr.append(cell);
    });
    body.append(tr);
  });
  matrix.append(body);

  const accuracy = root.querySelector<HTMLTableElement>('#class-accuracy')!;
  accuracy.replaceChildren(make('thead', '', make('tr', '', make('th', '', 'Class'), make('th', '', 'Accuracy'), make('th', '', 'Right'))));
  const accuracyBody = make('tbody');
  confusion.forEach((row, t) => {
    const rowTotal = row.reduce((a, b) => a + b, 0);
    const right = row[t] ?? 0;
    const bar = make('span', 'bar train');
    bar.style.width = `${rowTotal ? (right / rowTotal) * 100 : 0}%`;
    const tr = make('tr', '', make('th', '', className(classes, t)),
      make('td', '', make('div', 'bar-cell', make('span', 'bar-track', bar), make('span', 'accuracy', rowTotal ? percent(right / rowTotal) : '–'))),
      make('td', 'count', `${right} / ${rowTotal}`));
    tr.dataset['class'] = className(classes, t);
    accuracyBody.append(tr);
  });
  accuracy.append(accuracyBody);

  const worst = root.querySelector<HTMLElement>('#worst')!;
  worst.replaceChildren();
  root.querySelector<HTMLElement>('#worst-empty')!.hidden = evaluation.worst.length > 0;
  for (const sample of evaluation.worst) {
    const caption = make('figcaption', '',
      make('span', 'truth', className(classes, sample.label)), ' → ',
      make('span', 'predicted', className(classes, sample.predicted)),
      make('span', 'confidence', ` ${percent(sample.confidence)}`),
      make('span', 'index', ` #${sample.index}`));
    const figure = make('figure', 'sample');
    if (sample.pixels && evaluation.imageShape) figure.append(imageCanvas(evaluation.imageShape, sample.pixels));
    figure.append(caption);
    figure.dataset['index'] = String(sample.index);
    worst.append(figure);
  }
}

/** Which per-epoch value the Runs chart compares: val_loss when any run has it, else loss. */
export function runsMetric(runs: readonly EarlierRun[], current: readonly { metrics: Record<string, number> }[]): string {
  const has = (epochs: readonly { metrics: Record<string, number> }[]) => epochs.some((e) => e.metrics['val_loss'] !== undefined);
  return runs.some((run) => has(run.epochs)) || has(current) ? 'val_loss' : 'loss';
}

/** The Runs chart: the metric per epoch of each earlier run and of the shown run, on one axis. */
export function runsChartSpec(runs: readonly EarlierRun[], current: readonly { epoch: number; metrics: Record<string, number> }[], theme: Theme, log: boolean): ChartSpec {
  const metric = runsMetric(runs, current);
  const epochs = Math.max(1, ...runs.flatMap((run) => run.epochs.map((e) => e.epoch)), ...current.map((e) => e.epoch));
  const x = Array.from({ length: epochs }, (_, i) => i + 1);
  const column = (records: readonly { epoch: number; metrics: Record<string, number> }[]): (number | null)[] => {
    const values = new Array<number | null>(epochs).fill(null);
    for (const record of records) {
      const value = record.metrics[metric];
      if (typeof value === 'number' && Number.isFinite(value) && (!log || value > 0)) values[record.epoch - 1] = value;
    }
    return values;
  };
  const lines = runs.map((run, i) => {
    const color = rgba(theme.palette[(i + 1) % theme.palette.length]!, 0.85);
    return { label: runLabel(run), color, width: lineWidth(theme, 1.25), points: epochs <= 200, values: column(run.epochs), legend: true };
  });
  if (current.length) lines.push({ label: 'this run', color: rgba(theme.foreground), width: lineWidth(theme, 2), points: epochs <= 200, values: column(current), legend: true });
  return { key: 'runs', title: `${metric} per epoch`, xLabel: 'epoch', x, lines, xRange: () => [0, epochs], log };
}

/** A run's name in the Runs tab: when it started, to the minute. */
export function runLabel(run: EarlierRun): string {
  const date = new Date(run.startedAt);
  if (Number.isNaN(date.getTime())) return run.startedAt;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The resolved settings shown, with the written setting each one resolves (not repeated as a column of its own). */
const RESOLVED: [keyof NonNullable<EarlierRun['settings']>['resolved'], string][] = [
  ['epochs', 'epochs'], ['batchSize', 'batch_size'], ['shuffle', 'shuffle'], ['seed', 'seed'], ['ensemble', 'ensemble'], ['backend', 'backend'],
];

/** The Runs table: a row per earlier run with its outcome and settings side by side, and a link to its folder. */
export function renderRunsTable(table: HTMLTableElement, runs: readonly EarlierRun[], metric: string, theme: Theme): void {
  table.replaceChildren();
  if (!runs.length) return;
  const written = [...new Set(runs.flatMap((run) => Object.keys(run.settings?.written ?? {})))]
    .filter((key) => !RESOLVED.some(([, name]) => name === key))
    .sort();
  const head = make('tr', '', make('th', '', 'Run'), make('th', '', 'Backend'), make('th', '', 'Ended'), make('th', '', 'Epochs run'), make('th', '', `Best ${metric}`));
  for (const [key, name] of RESOLVED) if (key !== 'backend') head.append(make('th', 'setting', name));
  for (const key of written) head.append(make('th', 'setting', key));
  head.append(make('th', '', 'Folder'));
  table.append(make('thead', '', head));
  const body = make('tbody');
  runs.forEach((run, i) => {
    const swatch = make('span', 'swatch');
    swatch.style.borderTopColor = rgba(theme.palette[(i + 1) % theme.palette.length]!);
    const values = run.epochs.map((e) => e.metrics[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const best = values.length ? Math.min(...values).toPrecision(4) : '–';
    const row = make('tr', '', make('th', '', swatch, runLabel(run)), make('td', '', run.backend), make('td', '', run.reason ?? '–'),
      make('td', 'number', String(run.epochs.length)), make('td', 'number', best));
    for (const [key] of RESOLVED) if (key !== 'backend') row.append(make('td', 'setting', run.settings ? String(run.settings.resolved[key]) : '–'));
    for (const key of written) row.append(make('td', 'setting', run.settings?.written[key] ?? '–'));
    const link = make('a', 'folder-link', 'Open folder');
    link.href = '#';
    link.dataset['dir'] = run.dir;
    link.title = run.dir;
    row.append(make('td', '', link));
    row.dataset['dir'] = run.dir;
    body.append(row);
  });
  table.append(body);
}
