/// <reference lib="dom" />
/**
 * The Boundary tab: the decision boundary of each model of the run whose
 * input is two features, side by side (a train block of several models, or
 * an ensemble's members), as a heat map of the predicted class on a canvas
 * with the training and validation points on top, and one slider over the
 * epochs that have a grid. `BoundaryRun` holds the grids as numbers, with
 * no DOM; `renderBoundary` draws them when they or the chosen epoch change.
 */
import type { BoundaryEvent, BoundaryPoints, TrainerEvent } from '../protocol/training.js';
import { rgba, type Theme } from './charts.mjs';
import { className, make } from './tabs.mjs';

/** One model's (or ensemble member's) grids, by epoch, and its points. */
export interface BoundaryView {
  model: string;
  member?: number;
  /** Ascending by epoch, one per epoch. */
  grids: BoundaryEvent[];
  points?: { train: BoundaryPoints; validation?: BoundaryPoints };
}

/** The run's boundaries. A member that starts again begins a new run: the grids of the last one are dropped. */
export class BoundaryRun {
  views: BoundaryView[] = [];
  /** Changes whenever a grid arrives. */
  version = 0;

  apply(event: TrainerEvent): void {
    if (event.type === 'started' && this.find(event.model, event.member)) this.views = [];
    if (event.type !== 'boundary') return;
    let view = this.find(event.model, event.member);
    if (!view) {
      view = { model: event.model, ...(event.member === undefined ? {} : { member: event.member }), grids: [] };
      this.views.push(view);
    }
    if (event.points) view.points = event.points;
    const at = view.grids.findIndex((grid) => grid.epoch >= event.epoch);
    if (at < 0) view.grids.push(event);
    else view.grids.splice(at, view.grids[at]!.epoch === event.epoch ? 1 : 0, event);
    this.version++;
  }

  /** Every epoch some view has a grid of, ascending. */
  epochs(): number[] {
    return [...new Set(this.views.flatMap((view) => view.grids.map((grid) => grid.epoch)))].sort((a, b) => a - b);
  }

  private find(model: string, member: number | undefined): BoundaryView | undefined {
    return this.views.find((view) => view.model === model && view.member === member);
  }
}

/** A view's grid at `epoch`: its latest at or before it, else its first. */
export function gridAt(view: BoundaryView, epoch: number): BoundaryEvent | undefined {
  let shown = view.grids[0];
  for (const grid of view.grids) if (grid.epoch <= epoch) shown = grid;
  return shown;
}

export const decode = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The canvas's largest and smallest side in CSS pixels: the views share the tab's width, side by side down to the smallest. */
const MAX_SIZE = 320;
const MIN_SIZE = 160;
/** The gap between the views, as panel.css sets it. */
const GAP = 24;

/** Each view's side: as large as lets `count` views fit in a row `width` wide (a hidden tab, of no width, gets the largest). */
export function viewSize(width: number, count: number): number {
  if (width <= 0 || count <= 0) return MAX_SIZE;
  return Math.max(MIN_SIZE, Math.min(MAX_SIZE, Math.floor((width - GAP * (count - 1)) / count)));
}

type Rgb = [number, number, number];

/**
 * A grid cell's colour: its class's palette colour over the background,
 * stronger the surer the model is: from a tie (the probability of the class
 * predicted at 1 / classes) to certainty, by a sigmoid's probability or the
 * predicted class's softmax probability.
 */
function cellColor(theme: Theme, predicted: number, sureness: number | undefined): Rgb {
  const color = theme.palette[predicted % theme.palette.length]!;
  const sure = sureness ?? 0.6;
  const alpha = (theme.highContrast ? 0.25 : 0.12) + (theme.highContrast ? 0.6 : 0.5) * sure;
  const [r, g, b] = theme.background;
  return [Math.round(r + (color[0] - r) * alpha), Math.round(g + (color[1] - g) * alpha), Math.round(b + (color[2] - b) * alpha)];
}

/** The heat map at the grid's resolution, scaled onto the canvas with sharp cells, then the points over it. */
function draw(canvas: HTMLCanvasElement, grid: BoundaryEvent, points: BoundaryView['points'], theme: Theme, size: number): void {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size * ratio);
  canvas.height = Math.round(size * ratio);
  canvas.style.width = canvas.style.height = `${size}px`;
  const context = canvas.getContext('2d')!;
  const cells = document.createElement('canvas');
  cells.width = grid.columns;
  cells.height = grid.rows;
  const image = new ImageData(grid.columns, grid.rows);
  const predicted = decode(grid.predicted);
  const probability = grid.probability === undefined ? undefined : decode(grid.probability);
  const confidence = grid.confidence === undefined ? undefined : decode(grid.confidence);
  const tie = 1 / Math.max(2, grid.classes.length);
  const sureness = (i: number): number | undefined =>
    probability ? Math.abs(probability[i]! / 255 - 0.5) * 2 : confidence ? Math.max(0, (confidence[i]! / 255 - tie) / (1 - tie)) : undefined;
  for (let i = 0; i < grid.columns * grid.rows; i++) {
    const [r, g, b] = cellColor(theme, predicted[i] ?? 0, sureness(i));
    image.data.set([r, g, b, 255], i * 4);
  }
  cells.getContext('2d')!.putImageData(image, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(cells, 0, 0, canvas.width, canvas.height);

  const { xMin, xMax, yMin, yMax } = grid.box;
  const px = (x: number) => ((x - xMin) / (xMax - xMin)) * canvas.width;
  const py = (y: number) => ((yMax - y) / (yMax - yMin)) * canvas.height;
  const radius = (theme.highContrast ? 4.5 : 3.5) * ratio;
  const outline = rgba(theme.foreground, theme.highContrast ? 1 : 0.75);
  const classColor = (label: number) => rgba(theme.palette[label % theme.palette.length]!);
  const set = (data: BoundaryPoints | undefined, mark: (x: number, y: number, color: string) => void) => {
    if (!data) return;
    for (let i = 0; i < data.x.length; i++) mark(px(data.x[i]!), py(data.y[i]!), classColor(data.label[i]!));
  };
  context.lineWidth = ratio;
  // Training points: discs with an outline.
  set(points?.train, (x, y, color) => {
    context.beginPath();
    context.arc(x, y, radius, 0, 2 * Math.PI);
    context.fillStyle = color;
    context.fill();
    context.strokeStyle = outline;
    context.stroke();
  });
  // Validation points: crosses, drawn over an outline of the foreground colour.
  set(points?.validation, (x, y, color) => {
    for (const [stroke, width] of [[outline, 3.5], [color, 2]] as const) {
      context.strokeStyle = stroke;
      context.lineWidth = width * ratio;
      context.beginPath();
      context.moveTo(x - radius, y - radius);
      context.lineTo(x + radius, y + radius);
      context.moveTo(x + radius, y - radius);
      context.lineTo(x - radius, y + radius);
      context.stroke();
    }
  });
  if (theme.border) {
    context.strokeStyle = rgba(theme.border);
    context.lineWidth = ratio;
    context.strokeRect(0, 0, canvas.width, canvas.height);
  }
}

const round = (value: number): string => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));

/** The classes' colours, and what the marks mean (the validation points' only where there are some). */
function legend(grid: BoundaryEvent, theme: Theme, validation: boolean): HTMLElement {
  const box = make('div', 'legend');
  const classes = Math.max(grid.probability === undefined ? 0 : 2, grid.classes.length);
  for (let c = 0; c < classes; c++) {
    const swatch = make('span', 'swatch');
    swatch.style.borderTopColor = rgba(theme.palette[c % theme.palette.length]!);
    box.append(make('span', 'legend-item', swatch, className(grid.classes, c)));
  }
  box.append(make('span', 'legend-item', '● training'));
  if (validation) box.append(make('span', 'legend-item', '✕ validation'));
  return box;
}

/**
 * The tab: the slider over the epochs with a grid (`selected` undefined
 * follows the latest), and one figure per view with its title, the epoch it
 * shows, its canvas, the box's extent and the legend. Each figure carries
 * its model, member and shown epoch as data attributes, which the browser
 * and end-to-end tests read.
 */
export function renderBoundary(root: HTMLElement, run: BoundaryRun, selected: number | undefined, theme: Theme): void {
  const epochs = run.epochs();
  const slider = root.querySelector<HTMLInputElement>('#boundary-epoch')!;
  const epoch = selected ?? epochs.at(-1) ?? 0;
  slider.max = String(Math.max(0, epochs.length - 1));
  const index = Math.max(0, epochs.indexOf(epoch));
  slider.value = String(index);
  slider.disabled = epochs.length < 2;
  root.querySelector<HTMLElement>('#boundary-epoch-label')!.textContent = epochs.length ? `epoch ${epoch}${selected === undefined ? ' (latest)' : ''}` : '';
  const models = new Set(run.views.map((view) => view.model)).size;
  const views = root.querySelector<HTMLElement>('#boundary-views')!;
  // The tab row can be wider than a narrow panel: the width is the window's from the views' left edge, less the page's padding.
  const width = Math.min(views.clientWidth, document.documentElement.clientWidth - views.getBoundingClientRect().left - 16);
  const size = viewSize(width, run.views.length);
  views.replaceChildren();
  for (const view of run.views) {
    const grid = gridAt(view, epoch);
    if (!grid) continue;
    const canvas = make('canvas', 'boundary-canvas');
    draw(canvas, grid, view.points, theme, size);
    const member = view.member === undefined ? '' : ` · member ${view.member + 1}`;
    const title = make('figcaption', 'boundary-title', make('strong', '', `${view.model}${member}`), ` · epoch ${grid.epoch}`);
    const { xMin, xMax, yMin, yMax } = grid.box;
    const extent = make('div', 'note', `x ${round(xMin)} … ${round(xMax)} · y ${round(yMin)} … ${round(yMax)}`);
    const figure = make('figure', 'boundary-model', title, canvas, extent, legend(grid, theme, Boolean(view.points?.validation?.x.length)));
    figure.dataset['model'] = view.model;
    if (view.member !== undefined) figure.dataset['member'] = String(view.member);
    figure.dataset['epoch'] = String(grid.epoch);
    figure.dataset['grids'] = String(view.grids.length);
    figure.dataset['trainPoints'] = String(view.points?.train.x.length ?? 0);
    figure.dataset['validationPoints'] = String(view.points?.validation?.x.length ?? 0);
    views.append(figure);
  }
  root.dataset['models'] = String(models);
  root.dataset['epoch'] = String(epoch);
}

/** The slider's epoch: undefined (follow the run) at its end. */
export function sliderEpoch(run: BoundaryRun, slider: HTMLInputElement): number | undefined {
  const epochs = run.epochs();
  const index = Number(slider.value);
  return index >= epochs.length - 1 ? undefined : epochs[index];
}
