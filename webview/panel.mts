/// <reference lib="dom" />
/**
 * The training panel's page: a header with the run's facts and controls,
 * live charts of every metric, and the Epochs, Summary, Data, Evaluation,
 * Boundary, Layers and Runs tabs. Bundled by esbuild as an IIFE into dist/webview/panel.js; an ES
 * module (.mts) because the toolkit ships only as ES modules.
 *
 * A message only updates the run's numbers (`RunState`); one animation
 * frame then brings the page up to date, so a burst of events, or a replay
 * of a whole run, costs one redraw. Tabs are rebuilt only when what they
 * show changed, and the Epochs grid only while it is visible.
 *
 * When the page finds an array at `window.layerwiseUpdateTimes`, it appends
 * to it the milliseconds each update took (the messages' handling since the
 * last frame, and the frame's work): the speed benchmark reads it. With
 * `window.layerwiseTestHooks` set to true before the page's script runs, as
 * the browser tests' host does, each chart also carries a few data
 * attributes that only those tests read (see describeChart).
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
} from '@vscode/webview-ui-toolkit';
import { isPanelHostMessage, type EarlierRun, type PanelPageMessage, type PanelRun } from '../protocol/panel.js';
import { describeWasm, type EvaluationEvent } from '../protocol/training.js';
import { createChart, destroyChart, lineWidth, readTheme, redraw, resizeChart, rgba, type Chart, type ChartSpec, type LineSpec, type Theme } from './charts.mjs';
import { chartsPng, chartsSvg, fileStem, historyCsv } from './exports.mjs';
import { formatSpans, LEARNING_RATE, overfitSpans, RunState, type Member, type Span } from './runState.mjs';
import { LayersView } from './layers.mjs';
import { renderSummary } from './summary.mjs';
import { BoundaryRun, renderBoundary, sliderEpoch } from './boundary.mjs';
import { percent, renderData, renderEvaluation, renderRunsTable, runsChartSpec, runsMetric } from './tabs.mjs';

/** What the page keeps across a reload of the webview: the run it shows (which the host revives) and the chart settings. */
interface PageState {
  run?: PanelRun;
  smoothing?: number;
  log?: boolean;
}

declare function acquireVsCodeApi(): { postMessage(message: PanelPageMessage): void; getState(): PageState | undefined; setState(state: PageState): void };

provideVSCodeDesignSystem().register(
  vsCodeButton(), vsCodeCheckbox(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView(),
  vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(),
);

const vscode = acquireVsCodeApi();
const element = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
type Button = HTMLElement & { disabled: boolean };
const stopButton = element<Button>('stop');
const saveButton = element<Button>('save-model');
const folderButton = element<Button>('open-folder');
const exportButtons = { png: element<Button>('export-png'), svg: element<Button>('export-svg'), csv: element<Button>('export-csv') };
const smoothingRange = element<HTMLInputElement>('smoothing-range');
const smoothingField = element<HTMLInputElement>('smoothing');
const logScale = element<HTMLElement & { checked: boolean }>('log-scale');
const tabs = element<HTMLElement & { activeid: string }>('tabs');
const chartsView = element('charts');
const runsChartView = element('runs-chart');
const epochGrid = element<HTMLElement & { rowsData: Record<string, string>[] }>('epochs');
const failureLink = element<HTMLAnchorElement>('failure-location');
const layersView = new LayersView(element('layers-tab'));

const saved = vscode.getState() ?? {};
if (typeof saved.smoothing === 'number') smoothingRange.value = smoothingField.value = String(saved.smoothing);
if (typeof saved.log === 'boolean') logScale.checked = saved.log;
let state = new RunState(Number(smoothingField.value), Boolean(saved.log));

function saveState(): void {
  vscode.setState({ run: panelRun, smoothing: state.smoothing, log: state.log });
}
let panelRun: PanelRun | undefined;
let summaryText: string | undefined;
let earlierRuns: EarlierRun[] = [];
let stopping = false;
/** The decision boundaries of the run's two-feature models, and the epoch the Boundary tab shows (undefined: the latest). */
let boundary = new BoundaryRun();
let boundaryEpoch: number | undefined;

let theme: Theme = readTheme();
let charts: Chart[] = [];
/** What the charts were built for: the state, its structure, and the theme. */
let built: { state: RunState; structure: number; theme: Theme } | undefined;
let runsChart: Chart | undefined;
/** What each tab last showed, so that an unchanged tab is left alone. */
const shown: { grid?: unknown; data?: unknown; evaluation?: unknown; runs?: unknown; summary?: string; boundary?: unknown } = {};
/** How many of the shown run's epochs the Runs chart was last built with. */
let runsEpochs = 0;
let frame: number | undefined;
let handlingMs = 0;

function scheduleRender(): void {
  frame ??= requestAnimationFrame(render);
}

/** Text, attribute and property writes only when the value changes: DOM writes are what a frame must avoid. */
const textCache = new Map<string, string>();
function text(id: string, value: string): void {
  if (textCache.get(id) === value) return;
  textCache.set(id, value);
  element(id).textContent = value;
}

function attribute(target: HTMLElement, name: string, value: string): void {
  if (target.dataset[name] !== value) target.dataset[name] = value;
}

function enable(button: Button, on: boolean): void {
  if (button.disabled === on) button.disabled = !on;
}

function reveal(target: HTMLElement, on: boolean): void {
  if (target.hidden === on) target.hidden = !on;
}

function reset(run?: PanelRun): void {
  state = new RunState(state.smoothing, state.log);
  panelRun = run;
  summaryText = undefined;
  earlierRuns = [];
  stopping = false;
  boundary = new BoundaryRun();
  boundaryEpoch = undefined;
  saveState();
}

const count = (n: number): string => n.toLocaleString('en-US');

/** A duration to the second under a minute, to the minute under an hour. */
function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function statusText(): string {
  if (state.failed) return 'failed';
  if (state.done) {
    const reason = state.finished!.reason;
    return reason === 'completed' ? 'finished' : reason === 'stopped' ? 'stopped' : 'stopped early';
  }
  if (stopping) return 'stopping';
  if (state.started) return 'training';
  return panelRun ? 'starting' : '';
}

function renderHeader(): void {
  const started = state.started;
  const current = state.current;
  const position = state.multiModel && started ? ` (model ${state.models.indexOf(started.model) + 1})` : '';
  const title = started ? `${started.model}${position}` : (panelRun ? [panelRun.models?.join(', '), panelRun.file].filter(Boolean).join(' — ') : 'Waiting for the run');
  text('model', title);
  text('status', statusText());
  element('status').classList.toggle('failed', Boolean(state.failed));
  const info = started?.backendInfo;
  text('backend', started ? [started.backend, info?.version, info?.device && `on ${info.device}`, info?.wasm && `(${describeWasm(info.wasm)})`].filter(Boolean).join(' ') : '–');
  reveal(element('backend-folder-fact'), Boolean(info));
  if (info) text('backend-folder', info.folder);
  text('params', started ? count(started.params.total) : '–');
  text('sizes', started ? `${count(started.data.train)} / ${count(started.data.validation)}` : '–');
  const last = current?.epochs.at(-1);
  text('epoch', started ? `${last?.epoch ?? 0} of ${last?.epochs ?? started.epochs}` : '–');
  reveal(element('member-fact'), state.ensemble);
  if (started && state.ensemble) text('member', `${(current?.index ?? 0) + 1} of ${started.members}`);
  text('speed', last ? count(Math.round(last.samplesPerSecond)) : '–');
  const left = state.secondsLeft();
  text('time-left', left === undefined ? '–' : formatDuration(left));
  const best = current?.best;
  text('best', best ? `${best.epoch}${best.value === undefined ? '' : ` (${best.metric} ${best.value.toPrecision(4)})`}${best.restored ? ', restored' : ''}` : '–');

  const ensemble = state.finished?.ensemble;
  reveal(element('ensemble-fact'), Boolean(ensemble));
  reveal(element('ensemble'), Boolean(ensemble));
  if (ensemble) {
    text('ensemble-accuracy', percent(ensemble.averagedAccuracy));
    text('ensemble', `Ensemble validation accuracy: averaged ${percent(ensemble.averagedAccuracy)} · members ${ensemble.memberAccuracy.map((a, i) => `${i + 1}: ${percent(a)}`).join(', ')}`);
  }
}

/** What the trainer warned of, a line each, naming the model where the block trains several. */
function renderWarnings(): void {
  const box = element('warnings');
  reveal(box, state.warnings.length > 0);
  const lines = state.warnings.map((warning) => `Warning: ${warning.model && state.models.length > 1 ? `${warning.model}: ` : ''}${warning.message}`);
  if (box.childElementCount === lines.length && [...box.children].every((p, i) => p.textContent === lines[i])) return;
  box.replaceChildren(...lines.map((line) => {
    const p = document.createElement('p');
    p.textContent = line;
    return p;
  }));
}

/** A failed run's message, with its location as a link when it has one. */
function renderFailure(): void {
  const failed = state.failed;
  reveal(element('failure'), Boolean(failed));
  if (failed) {
    text('failure-message', failed.message);
    const where = failed.file ? [failed.file, failed.line, failed.line === undefined ? undefined : failed.column].filter((p) => p !== undefined).join(':') : '';
    reveal(failureLink, Boolean(failed.file));
    text('failure-location', where);
  }
}

function renderControls(): void {
  enable(stopButton, Boolean(panelRun || state.started) && !state.done && !stopping);
  enable(saveButton, state.done && !state.failed && Boolean(state.finished?.artifacts.model));
  enable(folderButton, Boolean(state.runDir));
  enable(exportButtons.png, charts.length > 0);
  enable(exportButtons.svg, charts.length > 0);
  enable(exportButtons.csv, state.members.some((m) => m.epochs.length > 0));
}

/** Whether the charts tell members apart: an ensemble, or more than one model. */
const distinctMembers = (): boolean => state.ensemble || state.multiModel || state.anyEnsemble;

/** The palette colour of the member at `slot`: one per model and member, in the order they started. */
const memberBase = (slot: number) => (distinctMembers() ? theme.palette[slot % theme.palette.length]! : theme.blue);

/** A member's name in labels: its model's when the run has several, and `member n` in an ensemble. */
function memberPrefix(member: Member): string {
  const model = state.multiModel ? `${member.model} ` : '';
  const ensemble = member.members > 1 || (!state.multiModel && state.ensemble);
  return `${model}${ensemble ? `member ${member.index + 1} ` : ''}`;
}

/**
 * A member's colours: blue and orange for a single model; one palette
 * colour per member, validation dashed, in an ensemble or a run of several
 * models.
 */
function memberColors(member: Member, slot: number): { train: string; validation: string; dash: number[] | undefined; prefix: string } {
  if (!distinctMembers()) return { train: rgba(theme.blue), validation: rgba(theme.orange), dash: undefined, prefix: '' };
  const color = rgba(memberBase(slot));
  return { train: color, validation: color, dash: [6, 4], prefix: memberPrefix(member) };
}

function metricLines(name: string): LineSpec[] {
  const lines: LineSpec[] = [];
  const points = (state.layout?.epochs ?? 0) <= 200;
  state.members.forEach((member, slot) => {
    const colors = memberColors(member, slot);
    const batch = member.batch.get(name);
    const base = memberBase(slot);
    if (batch) {
      lines.push({ label: `${colors.prefix}${name} (batch, raw)`, color: rgba(base, theme.highContrast ? 0.4 : 0.18), width: 1, points: false, values: batch.rawShown, legend: false });
      lines.push({ label: `${colors.prefix}${name} (batch)`, color: rgba(base, theme.highContrast ? 0.85 : 0.6), width: lineWidth(theme, 1), points: false, values: batch.smoothShown, legend: true });
    }
    if (name === LEARNING_RATE) {
      const series = member.epoch.get(LEARNING_RATE);
      if (series) lines.push({ label: `${colors.prefix}learning rate`, color: colors.train, width: lineWidth(theme, 1.5), points, values: series.shown, legend: true });
      return;
    }
    const train = member.epoch.get(name);
    if (train) lines.push({ label: `${colors.prefix}${name}`, color: colors.train, width: lineWidth(theme, 1.5), points, values: train.shown, legend: true });
    const validation = member.epoch.get(`val_${name}`);
    if (validation) lines.push({ label: `${colors.prefix}val_${name}`, color: colors.validation, width: lineWidth(theme, 1.5), ...(colors.dash ? { dash: colors.dash } : {}), points, values: validation.shown, legend: true });
  });
  return lines;
}

/** The overfitting spans of the member being trained, worked out again only after an event. */
let marks: { version: number; state: RunState; spans: Span[] } | undefined;
function currentSpans(): Span[] {
  if (marks?.state !== state || marks.version !== state.version) marks = { version: state.version, state, spans: overfitSpans(state.current) };
  return marks.spans;
}

function metricSpec(name: string): ChartSpec {
  const layout = state.layout!;
  return {
    key: name,
    title: name,
    xLabel: 'epoch',
    x: layout.x,
    lines: metricLines(name),
    xRange: () => [0, state.xMax()],
    log: state.log,
    marks: () => ({ best: state.current?.best?.epoch, spans: currentSpans() }),
  };
}

/**
 * A sum that grows whenever anything a chart draws changes (every part only
 * grows): its lines, and the current member's loss and val_loss, which place
 * the marks every chart shows.
 */
function chartVersion(name: string): number {
  const current = state.current;
  let version = (state.finished ? 1 : 0) + (current?.epoch.get('loss')?.version ?? 0) + (current?.epoch.get('val_loss')?.version ?? 0);
  for (const member of state.members) {
    version += (member.batch.get(name)?.version ?? 0) + (member.epoch.get(name)?.version ?? 0) + (member.epoch.get(`val_${name}`)?.version ?? 0) + (member.finished ? 1 : 0);
  }
  return version;
}

/**
 * Whether the page writes what its charts hold for the browser tests: only
 * when the test host sets `window.layerwiseTestHooks` before the page's
 * script runs. The extension's page never does.
 */
const testHooks = (window as { layerwiseTestHooks?: unknown }).layerwiseTestHooks === true;

/**
 * What a chart holds, as data attributes: its epoch and batch point counts
 * (those of the model shown, all its members) and each model's epoch points
 * in `data-models`, which the end-to-end tests read in a real VS Code, where
 * only the page's DOM can be reached; and, for the browser tests only, each
 * member's epoch points, the overfitting spans, the rows drawn and the last
 * smoothed value. The numbers themselves are RunState's, tested in Node.
 */
function describeChart(chart: Chart): void {
  const name = chart.spec.key;
  const current = state.current;
  let epochPoints = 0;
  let batchPoints = 0;
  let omitted = 0;
  const perModel = new Map<string, number>();
  for (const member of state.members) {
    const batch = member.batch.get(name);
    const epoch = member.epoch.get(name);
    const validation = member.epoch.get(`val_${name}`);
    if (member.model === current?.model) {
      epochPoints += epoch?.count ?? 0;
      batchPoints += batch?.count ?? 0;
    }
    perModel.set(member.model, (perModel.get(member.model) ?? 0) + (epoch?.count ?? 0));
    omitted += (batch?.nonPositive ?? 0) + (epoch?.nonPositive ?? 0) + (validation?.nonPositive ?? 0);
  }
  const box = chart.box;
  attribute(box, 'epochPoints', String(epochPoints));
  attribute(box, 'batchPoints', String(batchPoints));
  attribute(box, 'models', [...perModel].map(([model, points]) => `${model}:${points}`).join(','));
  if (testHooks) {
    attribute(box, 'memberEpochPoints', state.members.map((member) => member.epoch.get(name)?.count ?? 0).join(','));
    attribute(box, 'overfit', formatSpans(currentSpans()));
    attribute(box, 'drawnRows', String(chart.spec.x.length));
    attribute(box, 'smoothedLast', current?.batch.get(name)?.lastSmoothed()?.toPrecision(6) ?? '');
  }
  const note = state.log && omitted ? `${count(omitted)} values ≤ 0 are left out of the log scale.` : '';
  if (chart.note.textContent !== note) chart.note.textContent = note;
}

function renderCharts(): void {
  state.sync();
  if (built?.state !== state || built.structure !== state.structure || built.theme !== theme) {
    for (const chart of charts) destroyChart(chart);
    charts = state.layout ? state.chartNames().map((name) => createChart(metricSpec(name), chartsView, theme)) : [];
    built = { state, structure: state.structure, theme };
    for (const chart of charts) {
      chart.drawn = chartVersion(chart.spec.key);
      describeChart(chart);
    }
    return;
  }
  for (const chart of charts) {
    const version = chartVersion(chart.spec.key);
    if (version === chart.drawn) continue;
    redraw(chart);
    chart.drawn = version;
    describeChart(chart);
  }
}

function renderEpochGrid(): void {
  const key = [state, state.members.reduce((n, m) => n + m.epochs.length, 0)];
  if (sameKey(shown.grid, key)) return;
  shown.grid = key;
  const models = state.multiModel;
  const ensemble = state.anyEnsemble;
  epochGrid.rowsData = state.members.flatMap((member) => member.epochs.map((epoch) => ({
    ...(models ? { model: member.model } : {}),
    ...(ensemble ? { member: member.members > 1 ? String(member.index + 1) : '' } : {}),
    epoch: String(epoch.epoch),
    ...Object.fromEntries(Object.entries(epoch.metrics).map(([name, value]) => [name, typeof value === 'number' ? value.toPrecision(4) : '–'])),
    'learning rate': epoch.learningRate.toPrecision(3),
    seconds: epoch.seconds.toFixed(2),
  })));
}

function latestEvaluation(): EvaluationEvent | undefined {
  return state.evaluations.at(-1);
}

function renderTabs(): void {
  const active = tabs.activeid;
  if (active === 'tab-epochs') renderEpochGrid();
  if (shown.summary !== summaryText || summaryText === undefined) {
    shown.summary = summaryText;
    renderSummary(element('summary-grid'), element('summary'), summaryText);
  }

  const dataKey = [state.data, state.started?.classes, theme];
  if (!sameKey(shown.data, dataKey)) {
    shown.data = dataKey;
    renderData(element('data'), state.data, state.started?.classes);
  }
  const evaluation = latestEvaluation();
  const evaluationKey = [evaluation, theme];
  if (!sameKey(shown.evaluation, evaluationKey)) {
    shown.evaluation = evaluationKey;
    renderEvaluation(element('evaluation-tab'), evaluation, theme, evaluation ? state.membersOf(evaluation.model)[0]?.members ?? 1 : 1);
  }

  // The Boundary tab, shown once a model of two features sent a grid; drawn again when a grid arrives or the slider moves.
  reveal(element('tab-boundary'), boundary.views.length > 0);
  // The widths are read (a layout) only once there is a boundary to size.
  const widths = boundary.views.length ? [element('boundary-views').clientWidth, document.documentElement.clientWidth] : [0, 0];
  const boundaryKey = [boundary, boundary.version, boundaryEpoch, theme, ...widths];
  if (!sameKey(shown.boundary, boundaryKey)) {
    shown.boundary = boundaryKey;
    renderBoundary(element('boundary-tab'), boundary, boundaryEpoch, theme);
  }
  // The Layers tab draws on canvases, which need the tab's size: only while it is shown.
  if (active === 'tab-layers') layersView.update(state.distributions, theme);

  // The Runs chart also shows the current run, so it follows new epochs while its tab is open.
  const current = state.current?.epochs ?? [];
  if (active === 'tab-runs') runsEpochs = current.length;
  const runsKey = [earlierRuns, theme, state.log, state, runsEpochs];
  if (!sameKey(shown.runs, runsKey)) {
    shown.runs = runsKey;
    reveal(element('runs-empty'), earlierRuns.length === 0);
    if (runsChart) destroyChart(runsChart);
    runsChart = earlierRuns.length ? createChart(runsChartSpec(earlierRuns, current, theme, state.log), runsChartView, theme) : undefined;
    renderRunsTable(element<HTMLTableElement>('runs-table'), earlierRuns, runsMetric(earlierRuns, current), theme);
  }
}

const sameKey = (a: unknown, b: unknown[]): boolean => Array.isArray(a) && a.length === b.length && a.every((value, i) => value === b[i]);

function render(): void {
  frame = undefined;
  const start = performance.now();
  renderCharts();
  renderHeader();
  renderWarnings();
  renderFailure();
  renderControls();
  renderTabs();
  const times = (window as { layerwiseUpdateTimes?: number[] }).layerwiseUpdateTimes;
  if (Array.isArray(times)) times.push(handlingMs + performance.now() - start);
  handlingMs = 0;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const start = performance.now();
  const message = event.data;
  if (!isPanelHostMessage(message)) return;
  switch (message.type) {
    case 'reset': reset(message.run); break;
    case 'events':
      for (const trainerEvent of message.events) {
        state.apply(trainerEvent);
        boundary.apply(trainerEvent);
      }
      // The run folder is what a revived panel reads the run back from: kept as soon as the trainer names it.
      if (panelRun && state.started && panelRun.runDir !== state.started.runDir) {
        panelRun = { ...panelRun, runDir: state.started.runDir };
        saveState();
      }
      break;
    case 'summary': summaryText = message.text; break;
    case 'runs': earlierRuns = message.runs; break;
  }
  handlingMs += performance.now() - start;
  scheduleRender();
});

stopButton.addEventListener('click', () => {
  if (stopButton.disabled || stopping) return;
  vscode.postMessage({ type: 'stop' });
  stopping = true;
  scheduleRender();
});

saveButton.addEventListener('click', () => {
  if (!saveButton.disabled) vscode.postMessage({ type: 'saveModel' });
});

folderButton.addEventListener('click', () => {
  if (!folderButton.disabled) vscode.postMessage({ type: 'openRunFolder' });
});

function exportFile(format: 'png' | 'svg' | 'csv'): void {
  if (exportButtons[format].disabled) return;
  const stem = fileStem(state.started?.model ?? panelRun?.models?.join(', '));
  const content = format === 'png' ? chartsPng(charts, theme) : format === 'svg' ? chartsSvg(charts, theme) : historyCsv(state);
  vscode.postMessage({ type: 'export', format, fileName: `${stem}-${format === 'csv' ? 'history' : 'charts'}.${format}`, content });
}
exportButtons.png.addEventListener('click', () => exportFile('png'));
exportButtons.svg.addEventListener('click', () => exportFile('svg'));
exportButtons.csv.addEventListener('click', () => exportFile('csv'));

failureLink.addEventListener('click', (event) => {
  event.preventDefault();
  const failed = state.failed;
  if (!failed?.file) return;
  vscode.postMessage({
    type: 'openLocation',
    file: failed.file,
    ...(failed.line === undefined ? {} : { line: failed.line }),
    ...(failed.column === undefined ? {} : { column: failed.column }),
  });
});

element('runs-table').addEventListener('click', (event) => {
  const link = (event.target as HTMLElement).closest<HTMLElement>('a[data-dir]');
  if (!link) return;
  event.preventDefault();
  vscode.postMessage({ type: 'openRunFolder', dir: link.dataset['dir']! });
});

function setSmoothing(raw: string): void {
  const value = Math.min(0.99, Math.max(0, Number(raw)));
  if (!Number.isFinite(value)) return;
  if (Number(smoothingRange.value) !== value) smoothingRange.value = String(value);
  if (Number(smoothingField.value) !== value && document.activeElement !== smoothingField) smoothingField.value = String(value);
  state.setSmoothing(value);
  saveState();
  scheduleRender();
}
smoothingRange.addEventListener('input', () => {
  smoothingField.value = smoothingRange.value;
  setSmoothing(smoothingRange.value);
});
smoothingField.addEventListener('input', () => {
  if (smoothingField.value !== '') setSmoothing(smoothingField.value);
});
smoothingField.addEventListener('change', () => {
  smoothingField.value = String(state.smoothing);
});

logScale.addEventListener('change', () => {
  state.setLog(Boolean(logScale.checked));
  saveState();
  scheduleRender();
});

tabs.addEventListener('change', () => scheduleRender());

element<HTMLInputElement>('boundary-epoch').addEventListener('input', (event) => {
  boundaryEpoch = sliderEpoch(boundary, event.target as HTMLInputElement);
  scheduleRender();
});

/** VS Code changes the body's class and the theme variables when the theme changes: colours are read again and the charts rebuilt. */
function themeChanged(): void {
  theme = readTheme();
  scheduleRender();
}
new MutationObserver(themeChanged).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
new MutationObserver(themeChanged).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

const resize = new ResizeObserver(() => {
  for (const chart of charts) resizeChart(chart);
  if (runsChart) resizeChart(runsChart);
});
resize.observe(chartsView);
resize.observe(runsChartView);
// The Boundary tab's views share its width: drawn again at their new size.
new ResizeObserver(() => scheduleRender()).observe(element('boundary-views'));
window.addEventListener('resize', () => scheduleRender());

scheduleRender();
vscode.postMessage({ type: 'ready' });
