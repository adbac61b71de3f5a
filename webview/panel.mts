/// <reference lib="dom" />
/**
 * The training panel's page: a header with the run's facts, live charts of
 * every metric, an epoch table and the model summary. Bundled by esbuild as
 * an IIFE into dist/webview/panel.js; an ES module (.mts) because the toolkit
 * ships only as ES modules.
 *
 * Messages only queue events; one animation frame applies the queue and
 * redraws, so a burst of batch events costs one redraw.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
} from '@vscode/webview-ui-toolkit';
import uPlot from 'uplot';
import { isPanelHostMessage, type PanelPageMessage, type PanelRun } from '../protocol/panel.js';
import type { EpochEvent, TrainerEvent } from '../protocol/training.js';

declare function acquireVsCodeApi(): { postMessage(message: PanelPageMessage): void };

provideVSCodeDesignSystem().register(
  vsCodeButton(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(),
  vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(),
);

const vscode = acquireVsCodeApi();
const element = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const stopButton = element<HTMLButtonElement>('stop');
const chartsView = element('charts');
const epochGrid = element<HTMLElement & { rowsData: Record<string, string>[] }>('epochs');

/** The learning rate's column: epoch events carry it beside the metrics. */
const LEARNING_RATE = 'learning rate';

type Column = (number | null)[];

/**
 * The shown run as uPlot columns. Every column shares `x`, in epochs: batch b
 * of epoch e sits at e - 1 + b / batchesPerEpoch, so the last batch of an
 * epoch shares its row with that epoch's point.
 */
class RunData {
  x: number[] = [];
  /** Per-batch values by metric name. */
  batch = new Map<string, Column>();
  /** Per-epoch values by metric name (`val_` twins and the learning rate included). */
  epoch = new Map<string, Column>();
  epochs: EpochEvent[] = [];
  batchCount = 0;
  best: { epoch: number; value: number } | undefined;

  column(columns: Map<string, Column>, name: string): Column {
    let column = columns.get(name);
    if (!column) {
      column = new Array<number | null>(this.x.length).fill(null);
      columns.set(name, column);
    }
    return column;
  }

  /** The row at x: the last one when it matches, else a new one (events come in order). */
  row(x: number): number {
    const last = this.x.length - 1;
    if (last >= 0 && this.x[last] === x) return last;
    this.x.push(x);
    for (const column of this.batch.values()) column.push(null);
    for (const column of this.epoch.values()) column.push(null);
    return last + 1;
  }

  addBatch(x: number, metrics: Record<string, number>): void {
    const row = this.row(x);
    for (const [name, value] of Object.entries(metrics)) this.column(this.batch, name)[row] = value;
    this.batchCount++;
  }

  addEpoch(event: EpochEvent): void {
    const row = this.row(event.epoch);
    for (const [name, value] of Object.entries(event.metrics)) this.column(this.epoch, name)[row] = value;
    this.column(this.epoch, LEARNING_RATE)[row] = event.learningRate;
    this.epochs.push(event);
    const value = event.metrics['val_loss'] ?? event.metrics['loss'];
    if (value !== undefined && (!this.best || value < this.best.value)) this.best = { epoch: event.epoch, value };
  }

  /** Each chart's name: loss first, then each metric, then the learning rate. */
  chartNames(): string[] {
    const names = new Set<string>();
    for (const name of [...this.batch.keys(), ...this.epoch.keys()]) names.add(name.replace(/^val_/, ''));
    names.delete(LEARNING_RATE);
    const ordered = [...names].sort((a, b) => Number(b === 'loss') - Number(a === 'loss') || a.localeCompare(b));
    return this.epoch.has(LEARNING_RATE) ? [...ordered, LEARNING_RATE] : ordered;
  }
}

let data = new RunData();
let batchesPerEpoch = 1;
let pending: TrainerEvent[] = [];
let charts = new Map<string, { plot: uPlot; box: HTMLElement }>();
let rebuildCharts = false;
let frame: number | undefined;

function scheduleRender(): void {
  frame ??= requestAnimationFrame(render);
}

function text(id: string, value: string): void {
  const target = element(id);
  if (target.textContent !== value) target.textContent = value;
}

function setStatus(value: string, failed = false): void {
  text('status', value);
  element('status').classList.toggle('failed', failed);
}

function reset(run?: PanelRun): void {
  data = new RunData();
  pending = [];
  rebuildCharts = true;
  for (const id of ['backend', 'params', 'sizes', 'epoch', 'speed', 'best']) text(id, '–');
  text('model', run ? [run.model, run.file].filter(Boolean).join(' — ') : 'Waiting for the run');
  text('summary', 'No summary yet.');
  setStatus(run ? 'starting' : '');
  stopButton.disabled = !run;
  epochGrid.rowsData = [];
}

/** Applies one event to the run's data and the header's facts. */
function apply(event: TrainerEvent): void {
  switch (event.type) {
    case 'started': {
      data = new RunData();
      rebuildCharts = true;
      batchesPerEpoch = Math.max(1, event.batchesPerEpoch);
      const member = event.members > 1 ? ` (member ${(event.member ?? 0) + 1} of ${event.members})` : '';
      text('model', event.model + member);
      text('backend', event.backend);
      text('params', event.params.total.toLocaleString('en-US'));
      text('sizes', `${event.data.train.toLocaleString('en-US')} / ${event.data.validation.toLocaleString('en-US')}`);
      text('epoch', `0 of ${event.epochs}`);
      setStatus('training');
      stopButton.disabled = false;
      return;
    }
    case 'batch':
      data.addBatch(event.epoch - 1 + event.batch / batchesPerEpoch, event.metrics);
      return;
    case 'epoch':
      data.addEpoch(event);
      text('epoch', `${event.epoch} of ${event.epochs}`);
      text('speed', Math.round(event.samplesPerSecond).toLocaleString('en-US'));
      return;
    case 'finished':
      if (data.best) data.best.epoch = event.bestEpoch;
      setStatus(event.reason === 'completed' ? 'finished' : event.reason === 'stopped' ? 'stopped' : 'stopped early');
      stopButton.disabled = true;
      return;
    case 'failed':
      setStatus(`failed: ${event.message}`, true);
      stopButton.disabled = true;
      return;
  }
}

/** A theme colour as rgba, read through a probe since canvas cannot use CSS variables. */
function themeColor(css: string, alpha = 1): string {
  const probe = document.createElement('span');
  probe.style.color = css;
  document.body.append(probe);
  const [r, g, b] = getComputedStyle(probe).color.match(/[\d.]+/g) ?? ['128', '128', '128'];
  probe.remove();
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Draws the best epoch as a dashed vertical line, and records where for tests and screen readers. */
function bestEpochMarker(box: HTMLElement, color: string): uPlot.Plugin {
  return {
    hooks: {
      draw: (plot) => {
        const best = data.best?.epoch;
        box.dataset['bestEpoch'] = best === undefined ? '' : String(best);
        if (best === undefined) return;
        const x = Math.round(plot.valToPos(best, 'x', true));
        const { ctx, bbox } = plot;
        ctx.save();
        ctx.strokeStyle = color;
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

const CHART_HEIGHT = 220;

/** The grid sizes each chart's box; a hidden tab has none, so charts keep a usable minimum. */
const chartWidth = (box: HTMLElement): number => Math.max(box.clientWidth, 300);

function createChart(name: string): { plot: uPlot; box: HTMLElement } {
  const box = document.createElement('div');
  box.className = 'chart';
  box.dataset['metric'] = name;
  chartsView.append(box);
  const style = getComputedStyle(document.body);
  const font = `11px ${style.getPropertyValue('--vscode-font-family') || 'sans-serif'}`;
  const foreground = themeColor('var(--vscode-foreground, #616161)');
  const grid = themeColor('var(--vscode-foreground, #616161)', 0.12);
  const train = themeColor('var(--vscode-charts-blue, #3794ff)');
  const validation = themeColor('var(--vscode-charts-orange, #d18616)');
  const axis = { stroke: foreground, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const point = (color: string) => ({ show: true, size: 6, fill: color, stroke: color });
  const series: uPlot.Series[] = name === LEARNING_RATE
    ? [{}, { label: 'learning rate', stroke: train, width: 1.5, points: point(train), spanGaps: true }]
    : [
        {},
        { label: `${name} (batch)`, stroke: themeColor('var(--vscode-charts-blue, #3794ff)', 0.45), width: 1, points: { show: false }, spanGaps: true },
        { label: name, stroke: train, width: 1.5, points: point(train), spanGaps: true },
        { label: `val_${name}`, stroke: validation, width: 1.5, points: point(validation), spanGaps: true },
      ];
  const plot = new uPlot({
    title: name,
    width: chartWidth(box),
    height: CHART_HEIGHT,
    series,
    scales: { x: { time: false } },
    axes: [{ ...axis, label: 'epoch', labelFont: font }, { ...axis, size: 60 }],
    legend: { live: false },
    plugins: [bestEpochMarker(box, foreground)],
  }, chartData(name), box);
  return { plot, box };
}

function chartData(name: string): uPlot.AlignedData {
  if (name === LEARNING_RATE) return [data.x, data.column(data.epoch, LEARNING_RATE)];
  return [data.x, data.column(data.batch, name), data.column(data.epoch, name), data.column(data.epoch, `val_${name}`)];
}

function countValues(column: Column): number {
  let count = 0;
  for (const value of column) if (value !== null) count++;
  return count;
}

function render(): void {
  frame = undefined;
  const events = pending;
  pending = [];
  const epochsBefore = data.epochs.length;
  for (const event of events) apply(event);

  const names = data.chartNames();
  if (rebuildCharts || names.some((name) => !charts.has(name))) {
    for (const { plot, box } of charts.values()) { plot.destroy(); box.remove(); }
    charts = new Map(names.map((name) => [name, createChart(name)]));
    rebuildCharts = false;
  } else {
    for (const [name, { plot }] of charts) plot.setData(chartData(name));
  }
  for (const [name, { box }] of charts) {
    // Counting is linear but cheap beside drawing, and tells tests what the chart holds.
    box.dataset['epochPoints'] = String(countValues(data.column(data.epoch, name)));
    box.dataset['batchPoints'] = String(countValues(data.column(data.batch, name)));
  }

  if (data.best) text('best', `${data.best.epoch} (${data.epoch.has('val_loss') ? 'val_loss' : 'loss'} ${data.best.value.toPrecision(4)})`);
  if (data.epochs.length !== epochsBefore || data.epochs.length === 0) {
    epochGrid.rowsData = data.epochs.map((epoch) => ({
      epoch: String(epoch.epoch),
      ...Object.fromEntries(Object.entries(epoch.metrics).map(([name, value]) => [name, value.toPrecision(4)])),
      'learning rate': epoch.learningRate.toPrecision(3),
      seconds: epoch.seconds.toFixed(2),
    }));
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isPanelHostMessage(message)) return;
  switch (message.type) {
    case 'reset': reset(message.run); break;
    case 'events': pending.push(...message.events); break;
    case 'summary': text('summary', message.text); return;
  }
  scheduleRender();
});

stopButton.addEventListener('click', () => {
  if (stopButton.disabled) return;
  vscode.postMessage({ type: 'stop' });
  stopButton.disabled = true;
  setStatus('stopping');
});

// VS Code changes the body's class and the theme variables when the theme changes.
new MutationObserver(() => {
  rebuildCharts = true;
  scheduleRender();
}).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
new MutationObserver(() => {
  rebuildCharts = true;
  scheduleRender();
}).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

new ResizeObserver(() => {
  for (const { plot, box } of charts.values()) plot.setSize({ width: chartWidth(box), height: CHART_HEIGHT });
}).observe(chartsView);

scheduleRender();
vscode.postMessage({ type: 'ready' });
