/// <reference lib="dom" />
/**
 * The Layers tab: for one layer of one model (or ensemble member), each
 * weight variable's and the activations' distribution over the epochs as
 * TensorBoard draws it (nested bands around the median: min–max, ±1.5σ,
 * ±1σ, ±0.5σ of a normal), a histogram at the chosen epoch, and for a ReLU
 * layer the fraction of its units that never fire. Drawn on canvases from
 * the `distributions` events, only while the tab is shown and only when
 * the events, the theme, the size or the choice changed.
 */
import type { Distribution, DistributionsEvent } from '../protocol/training.js';
import { lineWidth, rgba, type Theme } from './charts.mjs';
import { make, percent } from './tabs.mjs';

const BANDS_HEIGHT = 150;
const HISTOGRAM_WIDTH = 260;
const DEAD_HEIGHT = 90;
/** Room for the value labels at the left and the epochs below. */
const PAD = { left: 56, right: 8, top: 8, bottom: 18 };

/** A model's member: its distributions events in epoch order. */
interface Track {
  key: string;
  label: string;
  events: DistributionsEvent[];
}

/** The events by model and member, in the order they came. */
export function tracksOf(events: readonly DistributionsEvent[]): Track[] {
  const tracks = new Map<string, Track>();
  const models = new Set(events.map((event) => event.model));
  const ensemble = events.some((event) => event.member !== undefined);
  for (const event of events) {
    const key = `${event.model}#${event.member ?? 0}`;
    let track = tracks.get(key);
    if (!track) {
      const member = ensemble && event.member !== undefined ? `member ${event.member + 1}` : '';
      track = { key, label: [models.size > 1 || !member ? event.model : '', member].filter(Boolean).join(' '), events: [] };
      tracks.set(key, track);
    }
    // A replay after a live run sends an epoch again: the later one stands.
    const at = track.events.findIndex((known) => known.epoch === event.epoch);
    if (at >= 0) track.events[at] = event;
    else track.events.push(event);
  }
  for (const track of tracks.values()) track.events.sort((a, b) => a.epoch - b.epoch);
  return [...tracks.values()];
}

/** One drawn series: a variable of the layer, or its activations, at each epoch. */
interface Series {
  name: string;
  title: string;
  /** Per epoch of the track, the distribution (undefined where the layer lacked it). */
  values: (Distribution | undefined)[];
  color: Theme['blue'];
}

function seriesOf(events: readonly DistributionsEvent[], layer: string, theme: Theme): Series[] {
  const series = new Map<string, Series>();
  events.forEach((event, index) => {
    const found = event.layers.find((candidate) => candidate.name === layer);
    if (!found) return;
    for (const variable of found.variables) {
      let entry = series.get(`w:${variable.name}`);
      if (!entry) {
        entry = { name: variable.name, title: `${variable.name} [${variable.shape.join(', ')}]`, values: new Array(events.length).fill(undefined), color: theme.blue };
        series.set(`w:${variable.name}`, entry);
      }
      entry.values[index] = variable;
    }
    if (found.activations) {
      let entry = series.get('activations');
      if (!entry) {
        entry = { name: 'activations', title: `activations on ${event.sample.indices.length} ${event.sample.on} samples`, values: new Array(events.length).fill(undefined), color: theme.orange };
        series.set('activations', entry);
      }
      entry.values[index] = found.activations;
    }
  });
  return [...series.values()];
}

/** A canvas sized in CSS pixels, drawn at the device's pixel ratio. */
function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext('2d')!;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

const formatValue = (value: number): string => (value === 0 ? '0' : Math.abs(value) >= 1000 || Math.abs(value) < 0.01 ? value.toExponential(1) : value.toPrecision(3));

/** The value axis: its range's ends and middle as labels, and a light rule at each. */
function valueAxis(context: CanvasRenderingContext2D, theme: Theme, low: number, high: number, y: (value: number) => number, width: number): void {
  context.font = theme.font;
  context.textAlign = 'right';
  context.textBaseline = 'middle';
  for (const value of [low, (low + high) / 2, high]) {
    context.fillStyle = rgba(theme.foreground, 0.8);
    context.fillText(formatValue(value), PAD.left - 6, y(value));
    context.fillStyle = rgba(theme.foreground, theme.highContrast ? 0.35 : 0.12);
    context.fillRect(PAD.left, Math.round(y(value)), width - PAD.left - PAD.right, 1);
  }
}

/** The bands of a series over the epochs, nested from min–max inwards, the median on top, and the chosen epoch marked. */
function drawBands(canvas: HTMLCanvasElement, series: Series, epochs: readonly number[], chosen: number, theme: Theme, width: number): number {
  const context = sizeCanvas(canvas, width, BANDS_HEIGHT);
  const shown = series.values.map((value, i) => ({ value, epoch: epochs[i]! })).filter((point): point is { value: Distribution; epoch: number } => Boolean(point.value && point.value.bands.length === 9));
  if (!shown.length) return 0;
  let low = Math.min(...shown.map((point) => point.value.bands[0]!));
  let high = Math.max(...shown.map((point) => point.value.bands[8]!));
  if (low === high) [low, high] = [low - 0.5, high + 0.5];
  const plotWidth = width - PAD.left - PAD.right;
  const plotHeight = BANDS_HEIGHT - PAD.top - PAD.bottom;
  const first = epochs[0]!;
  const last = epochs[epochs.length - 1]!;
  // A single epoch is drawn as a column across the plot.
  const x = (epoch: number): number => PAD.left + (last === first ? 0.5 : (epoch - first) / (last - first)) * plotWidth;
  const y = (value: number): number => PAD.top + (1 - (value - low) / (high - low)) * plotHeight;
  valueAxis(context, theme, low, high, y, width);
  const xs = last === first ? [PAD.left, PAD.left + plotWidth] : shown.map((point) => x(point.epoch));
  const points = last === first ? [shown[0]!, shown[0]!] : shown;
  // Outer to inner: min–max, ±1.5σ, ±1σ, ±0.5σ; each band adds its shade over the wider ones.
  const alphas = theme.highContrast ? [0.3, 0.45, 0.6, 0.8] : [0.12, 0.2, 0.3, 0.45];
  for (let band = 0; band < 4; band++) {
    context.beginPath();
    points.forEach((point, i) => (i === 0 ? context.moveTo(xs[i]!, y(point.value.bands[band]!)) : context.lineTo(xs[i]!, y(point.value.bands[band]!))));
    for (let i = points.length - 1; i >= 0; i--) context.lineTo(xs[i]!, y(points[i]!.value.bands[8 - band]!));
    context.closePath();
    context.fillStyle = rgba(series.color, alphas[band]);
    context.fill();
  }
  context.beginPath();
  points.forEach((point, i) => (i === 0 ? context.moveTo(xs[i]!, y(point.value.bands[4]!)) : context.lineTo(xs[i]!, y(point.value.bands[4]!))));
  // High contrast draws the median in the foreground colour, apart from the bands' shades.
  context.strokeStyle = rgba(theme.highContrast ? theme.foreground : series.color);
  context.lineWidth = lineWidth(theme, 1.5);
  context.stroke();
  // The epoch the histogram shows.
  context.fillStyle = rgba(theme.foreground, 0.7);
  context.fillRect(Math.round(last === first ? PAD.left + plotWidth / 2 : x(chosen)), PAD.top, 1, plotHeight);
  context.textAlign = 'center';
  context.textBaseline = 'top';
  context.fillStyle = rgba(theme.foreground, 0.8);
  context.fillText(`epoch ${first}`, PAD.left + 24, BANDS_HEIGHT - PAD.bottom + 4);
  if (last !== first) context.fillText(`${last}`, PAD.left + plotWidth - 8, BANDS_HEIGHT - PAD.bottom + 4);
  return shown.length;
}

/** The histogram of one epoch's values: bars over [min, max]. */
function drawHistogram(canvas: HTMLCanvasElement, distribution: Distribution | undefined, color: Theme['blue'], theme: Theme): void {
  const context = sizeCanvas(canvas, HISTOGRAM_WIDTH, BANDS_HEIGHT);
  if (!distribution) return;
  const { min, max, counts } = distribution.histogram;
  const most = Math.max(1, ...counts);
  const plotWidth = HISTOGRAM_WIDTH - 16;
  const plotHeight = BANDS_HEIGHT - PAD.top - PAD.bottom;
  const bar = plotWidth / counts.length;
  context.fillStyle = rgba(color, theme.highContrast ? 0.9 : 0.7);
  counts.forEach((count, i) => {
    const height = (count / most) * plotHeight;
    context.fillRect(8 + i * bar, PAD.top + plotHeight - height, Math.max(1, bar - 1), height);
  });
  context.fillStyle = rgba(theme.foreground, 0.8);
  context.font = theme.font;
  context.textBaseline = 'top';
  context.textAlign = 'left';
  context.fillText(formatValue(min), 8, BANDS_HEIGHT - PAD.bottom + 4);
  context.textAlign = 'right';
  context.fillText(formatValue(max), HISTOGRAM_WIDTH - 8, BANDS_HEIGHT - PAD.bottom + 4);
}

/** The dead-unit fraction over the epochs, 0 to 100%, the chosen epoch marked. */
function drawDead(canvas: HTMLCanvasElement, fractions: (number | undefined)[], epochs: readonly number[], chosen: number, theme: Theme, width: number): void {
  const context = sizeCanvas(canvas, width, DEAD_HEIGHT);
  const plotWidth = width - PAD.left - PAD.right;
  const plotHeight = DEAD_HEIGHT - PAD.top - PAD.bottom;
  const first = epochs[0]!;
  const last = epochs[epochs.length - 1]!;
  const x = (epoch: number): number => PAD.left + (last === first ? 0.5 : (epoch - first) / (last - first)) * plotWidth;
  const y = (fraction: number): number => PAD.top + (1 - fraction) * plotHeight;
  context.font = theme.font;
  context.textAlign = 'right';
  context.textBaseline = 'middle';
  for (const value of [0, 0.5, 1]) {
    context.fillStyle = rgba(theme.foreground, 0.8);
    context.fillText(`${value * 100}%`, PAD.left - 6, y(value));
    context.fillStyle = rgba(theme.foreground, theme.highContrast ? 0.35 : 0.12);
    context.fillRect(PAD.left, Math.round(y(value)), plotWidth, 1);
  }
  const color = theme.palette[3] ?? theme.orange;
  context.strokeStyle = rgba(color);
  context.fillStyle = rgba(color);
  context.lineWidth = lineWidth(theme, 1.5);
  context.beginPath();
  let started = false;
  fractions.forEach((fraction, i) => {
    if (fraction === undefined) return;
    const px = last === first ? PAD.left + plotWidth / 2 : x(epochs[i]!);
    if (!started) context.moveTo(px, y(fraction));
    else context.lineTo(px, y(fraction));
    started = true;
    context.fillRect(px - 2, y(fraction) - 2, 4, 4);
  });
  context.stroke();
  context.fillStyle = rgba(theme.foreground, 0.7);
  context.fillRect(Math.round(last === first ? PAD.left + plotWidth / 2 : x(chosen)), PAD.top, 1, plotHeight);
}

/** The tab's state: which member, layer and epoch are shown, and what was last drawn. */
export class LayersView {
  private track = '';
  private layer = '';
  /** The chosen epoch; undefined while the tab follows the latest one. */
  private epoch: number | undefined;
  private events: readonly DistributionsEvent[] = [];
  private theme: Theme | undefined;
  private drawn: unknown[] = [];
  private readonly memberSelect: HTMLSelectElement;
  private readonly layerSelect: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly seriesBox: HTMLElement;
  private width = 0;

  constructor(private readonly root: HTMLElement) {
    this.memberSelect = root.querySelector<HTMLSelectElement>('#layers-member')!;
    this.layerSelect = root.querySelector<HTMLSelectElement>('#layers-layer')!;
    this.slider = root.querySelector<HTMLInputElement>('#layers-epoch')!;
    this.seriesBox = root.querySelector<HTMLElement>('#layers-series')!;
    this.memberSelect.addEventListener('change', () => {
      this.track = this.memberSelect.value;
      this.draw();
    });
    this.layerSelect.addEventListener('change', () => {
      this.layer = this.layerSelect.value;
      this.draw();
    });
    this.slider.addEventListener('input', () => {
      const value = Number(this.slider.value);
      // Back at the last epoch: follow the run again.
      this.epoch = value >= Number(this.slider.max) ? undefined : value;
      this.draw();
    });
    new ResizeObserver(() => {
      if (this.seriesBox.clientWidth !== this.width) this.draw();
    }).observe(this.seriesBox);
  }

  /** Brings the tab up to date with the run's events and the theme; cheap when neither changed. */
  update(events: readonly DistributionsEvent[], theme: Theme): void {
    this.events = events;
    this.theme = theme;
    this.draw();
  }

  private draw(): void {
    const theme = this.theme;
    if (!theme) return;
    const width = Math.max(320, this.seriesBox.clientWidth - HISTOGRAM_WIDTH - 16);
    const key = [this.events, this.events.length, theme, this.track, this.layer, this.epoch, width];
    if (key.length === this.drawn.length && key.every((value, i) => value === this.drawn[i])) return;
    this.drawn = key;
    this.width = this.seriesBox.clientWidth;
    const tracks = tracksOf(this.events);
    this.root.querySelector<HTMLElement>('#layers-empty')!.hidden = tracks.length > 0;
    this.root.querySelector<HTMLElement>('#layers')!.hidden = tracks.length === 0;
    if (!tracks.length) return;
    const track = tracks.find((candidate) => candidate.key === this.track) ?? tracks[tracks.length - 1]!;
    this.track = track.key;
    fillSelect(this.memberSelect, tracks.map((t) => [t.key, t.label]), track.key);
    this.root.querySelector<HTMLElement>('#layers-member-label')!.hidden = tracks.length < 2;

    const latest = track.events[track.events.length - 1]!;
    const layers = latest.layers;
    const layer = layers.find((candidate) => candidate.name === this.layer) ?? layers.find((candidate) => candidate.variables.length > 0) ?? layers[0];
    if (!layer) return;
    this.layer = layer.name;
    fillSelect(this.layerSelect, layers.map((l) => [l.name, `${l.name} (${l.type})`]), layer.name);

    const epochs = track.events.map((event) => event.epoch);
    const chosen = this.epoch !== undefined && epochs.includes(this.epoch) ? this.epoch : latest.epoch;
    this.slider.min = String(epochs[0]);
    this.slider.max = String(latest.epoch);
    this.slider.value = String(chosen);
    this.slider.disabled = epochs.length < 2;
    this.root.querySelector<HTMLElement>('#layers-epoch-value')!.textContent = `${chosen} of ${latest.epoch}`;
    const index = epochs.indexOf(chosen);

    const dead = this.root.querySelector<HTMLElement>('#layers-dead')!;
    const fractions = track.events.map((event) => event.layers.find((candidate) => candidate.name === layer.name)?.deadFraction);
    const deadNow = fractions[index];
    dead.hidden = deadNow === undefined;
    if (deadNow !== undefined) {
      dead.dataset['deadFraction'] = String(deadNow);
      dead.querySelector<HTMLElement>('.dead-text')!.textContent = `Units that never fire (ReLU output ≤ 0 on every sample): ${percent(deadNow)} at epoch ${chosen}`;
      drawDead(dead.querySelector('canvas')!, fractions, epochs, chosen, theme, width);
    }

    this.seriesBox.replaceChildren();
    for (const series of seriesOf(track.events, layer.name, theme)) {
      const bands = make('canvas', 'bands');
      const histogram = make('canvas', 'histogram');
      const drawnEpochs = drawBands(bands, series, epochs, chosen, theme, width);
      const shown = series.values[index];
      drawHistogram(histogram, shown, series.color, theme);
      const note = shown?.sampled ? ` · bands from ${shown.sampled.toLocaleString('en-US')} of ${shown.count.toLocaleString('en-US')} values` : '';
      const row = make('section', 'layers-series-row',
        make('h4', '', series.title, make('span', 'layers-note', note)),
        make('div', 'layer-plots', bands, histogram));
      row.dataset['series'] = series.name;
      bands.dataset['epochs'] = String(drawnEpochs);
      histogram.dataset['epoch'] = String(chosen);
      if (shown) histogram.dataset['counts'] = shown.histogram.counts.join(',');
      this.seriesBox.append(row);
    }
  }
}

/** Replaces a select's options only when they changed, and selects `value`. */
function fillSelect(select: HTMLSelectElement, options: [string, string][], value: string): void {
  const same = select.options.length === options.length && options.every(([key, label], i) => select.options[i]!.value === key && select.options[i]!.text === label);
  if (!same) select.replaceChildren(...options.map(([key, label]) => new Option(label, key)));
  if (select.value !== value) select.value = value;
}
