/**
 * What the editor shows of a model's last training run: a code lens over the
 * train block with a sparkline and the latest figures
 * (`loss ▇▅▃▂▁ 0.12 · val_acc 0.93`), and a chart of the run in the train
 * block's hover, as an SVG image. The runs themselves come from whoever
 * calls (the server reads them from the run folders); the core only draws.
 */
import type { Analysis } from '../analysis';
import type { TextRange, TrainDeclaration } from '../syntax/tree';
import type { CodeLens, LensAction } from './codeLens';
import { declarationHeader } from './locate';

/** A run as far as the editor shows it: per-epoch values of its last member. */
export interface RunRecord {
  model: string;
  startedAt: string;
  epochs: { epoch: number; metrics: Record<string, number> }[];
  /** The epochs the run was asked for, when known. */
  plannedEpochs?: number;
  /** Why it ended; absent while it runs (or when it was killed). */
  reason?: string;
  /** The run folder. */
  dir: string;
  /**
   * The best epoch as the trainer decided it (EarlyStopping's monitor, else
   * val_loss or loss), and whether the saved model holds its weights.
   */
  best?: { epoch: number; monitor: string; value: number; restored: boolean };
}

/** The last run of a model, or undefined when it has none. */
export type RunLookup = (model: string) => RunRecord | undefined;

const BARS = '▁▂▃▄▅▆▇█';
const SPARK_WIDTH = 8;

/**
 * Values as bar characters, low to high, at most `width` of them: longer
 * series are resampled by averaging equal spans. Non-finite values show as
 * spaces.
 */
export function sparkline(values: readonly number[], width = SPARK_WIDTH): string {
  const points = resample(values, width);
  const finite = points.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  return points
    .map((value) => {
      if (!Number.isFinite(value)) return ' ';
      const level = high === low ? BARS.length >> 1 : Math.round(((value - low) / (high - low)) * (BARS.length - 1));
      return BARS[level];
    })
    .join('');
}

function resample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const points: number[] = [];
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * values.length) / width);
    const to = Math.floor(((i + 1) * values.length) / width);
    let sum = 0;
    for (let j = from; j < to; j++) sum += values[j]!;
    points.push(sum / (to - from));
  }
  return points;
}

/** Metric names in the order the editor shows them after the loss: validation accuracy first. */
function headlineMetric(metrics: Record<string, number>): string | undefined {
  const names = Object.keys(metrics);
  return (
    names.find((name) => name === 'val_acc') ??
    names.find((name) => name.startsWith('val_') && name !== 'val_loss') ??
    names.find((name) => name !== 'loss' && !name.startsWith('val_')) ??
    (names.includes('val_loss') ? 'val_loss' : undefined)
  );
}

function figure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 0.01 || magnitude >= 1e4) ? value.toExponential(1) : value.toFixed(magnitude < 10 ? 2 : 1);
}

/**
 * `loss ▇▅▃▂▁ 0.12 · val_acc 0.93`, with `epoch 3/20 ·` first while the run
 * has not ended. An ended run's figures describe the model it saved: the
 * best epoch's where EarlyStopping restored its weights
 * (`… · best epoch 5, restored`), else the last epoch's, with the best
 * epoch named when it is another one.
 */
export function runLensTitle(run: RunRecord): string {
  const last = run.epochs[run.epochs.length - 1];
  if (!last) return run.reason ? `last run: ${run.reason} before its first epoch` : 'training…';
  const best = run.reason ? run.best : undefined;
  const shown = (best?.restored && run.epochs.find((epoch) => epoch.epoch === best.epoch)) || last;
  const parts: string[] = [];
  if (!run.reason) parts.push(`epoch ${last.epoch}${run.plannedEpochs ? `/${run.plannedEpochs}` : ''}`);
  parts.push(`loss ${sparkline(run.epochs.map((epoch) => epoch.metrics['loss'] ?? Number.NaN))} ${figure(shown.metrics['loss'] ?? Number.NaN)}`);
  const headline = headlineMetric(shown.metrics);
  if (headline) parts.push(`${headline} ${figure(shown.metrics[headline]!)}`);
  if (best && (best.restored || best.epoch !== last.epoch)) parts.push(`best epoch ${best.epoch}${best.restored ? ', restored' : ''}`);
  if (run.reason === 'stopped' || run.reason === 'early-stopping' || run.reason === 'failed') parts.push(run.reason);
  return parts.join(' · ');
}

/** A run lens: a code lens whose action shows the run. */
export type RunLens = CodeLens & { action: Extract<LensAction, { kind: 'showRun' }> };

/** A lens per model of each train block that has a run, over the block's header. */
export function getRunLenses(analysis: Analysis, lastRun: RunLookup): RunLens[] {
  const lenses: RunLens[] = [];
  for (const block of analysis.trainBlocks) {
    const declaration = block.declaration;
    const names = declaration.models.map((name) => name.text);
    for (const name of names) {
      const run = lastRun(name);
      if (!run) continue;
      const title = runLensTitle(run);
      lenses.push({ range: trainHeader(declaration), title: names.length > 1 ? `${name}: ${title}` : title, action: { kind: 'showRun', model: name, dir: run.dir } });
    }
  }
  return lenses;
}

/** From the `train` keyword to the end of the last model name. */
export function trainHeader(declaration: TrainDeclaration): TextRange {
  return declarationHeader(declaration.keyword, declaration.models[declaration.models.length - 1]);
}

/** The train block whose header (from `train` to its last model name) holds the offset; its body does not count. */
export function trainBlockAtHeader(analysis: Analysis, offset: number): TrainDeclaration | undefined {
  for (const block of analysis.trainBlocks) {
    const header = trainHeader(block.declaration);
    if (offset >= header.pos && offset <= header.end) return block.declaration;
  }
  return undefined;
}

/** The train block's hover: each of its models' last run as a chart, in markdown. */
export function runHoverMarkdown(declaration: TrainDeclaration, lastRun: RunLookup): string | undefined {
  const sections: string[] = [];
  for (const name of declaration.models.map((model) => model.text)) {
    const run = lastRun(name);
    if (!run || run.epochs.length === 0) continue;
    const svg = runChartSvg(run);
    // The SVG is ASCII (numbers, colours and fixed labels), which btoa encodes as is.
    const encoded = btoa(svg);
    const when = run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    sections.push(
      `**${name}**, last run ${when}: ${runLensTitle(run)}\n\n![${name}: loss and validation loss per epoch](data:image/svg+xml;base64,${encoded})`,
    );
  }
  return sections.length ? sections.join('\n\n---\n\n') : undefined;
}

const WIDTH = 360;
const HEIGHT = 150;
const MARGIN = { left: 40, right: 10, top: 10, bottom: 22 };
const SERIES: { name: string; color: string; dash?: string }[] = [
  { name: 'loss', color: '#3794ff' },
  { name: 'val_loss', color: '#d18616' },
];

/**
 * The run's loss and val_loss per epoch as a small standalone SVG: grey axes
 * and labels that read on light and dark themes, one polyline per series.
 */
export function runChartSvg(run: RunRecord): string {
  const epochs = run.epochs;
  const series = SERIES.map((spec) => ({ ...spec, points: epochs.map((epoch) => [epoch.epoch, epoch.metrics[spec.name]] as const) })).filter((entry) =>
    entry.points.some(([, value]) => value !== undefined && Number.isFinite(value)),
  );
  const values = series.flatMap((entry) => entry.points.map(([, value]) => value)).filter((value): value is number => value !== undefined && Number.isFinite(value));
  // The values' own range with a twentieth of room on each side, so that a curve that moves little still shows its shape.
  const least = values.length ? Math.min(...values) : 0;
  const most = values.length ? Math.max(...values) : 1;
  const room = (most - least) / 20 || Math.abs(most) / 20 || 1;
  const low = least >= 0 ? Math.max(0, least - room) : least - room;
  const high = most + room;
  const first = epochs[0]?.epoch ?? 1;
  const last = Math.max(epochs[epochs.length - 1]?.epoch ?? 1, first + 1);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (epoch: number) => MARGIN.left + ((epoch - first) / (last - first)) * plotWidth;
  const y = (value: number) => MARGIN.top + (1 - (value - low) / (high - low)) * plotHeight;
  const round = (value: number) => Math.round(value * 10) / 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="10">`,
    `<path d="M${MARGIN.left} ${MARGIN.top}V${HEIGHT - MARGIN.bottom}H${WIDTH - MARGIN.right}" fill="none" stroke="#888" stroke-width="1"/>`,
    `<text x="${MARGIN.left - 4}" y="${MARGIN.top + 8}" text-anchor="end" fill="#888">${figure(high)}</text>`,
    `<text x="${MARGIN.left - 4}" y="${HEIGHT - MARGIN.bottom}" text-anchor="end" fill="#888">${figure(low)}</text>`,
    `<text x="${MARGIN.left}" y="${HEIGHT - 6}" fill="#888">epoch ${first}</text>`,
    `<text x="${WIDTH - MARGIN.right}" y="${HEIGHT - 6}" text-anchor="end" fill="#888">${last}</text>`,
  ];
  // The trainer's best epoch, dashed, as the panel marks it.
  const best = run.best?.epoch;
  if (best !== undefined && best >= first && best <= last && series.length) {
    parts.push(`<path d="M${round(x(best))} ${MARGIN.top}V${HEIGHT - MARGIN.bottom}" fill="none" stroke="#888" stroke-width="1" stroke-dasharray="3 3"/>`);
  }
  series.forEach((entry, index) => {
    const points = entry.points
      .filter((point): point is readonly [number, number] => point[1] !== undefined && Number.isFinite(point[1]))
      .map(([epoch, value]) => `${round(x(epoch))},${round(y(value))}`);
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${entry.color}" stroke-width="1.5"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right - 60 * (series.length - index) + 8}" y="${MARGIN.top + 8}" fill="${entry.color}">${entry.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
