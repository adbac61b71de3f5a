/// <reference lib="dom" />
/**
 * uPlot charts for the panel: a chart is described by a `ChartSpec` (its
 * lines, each with a display array that the run state keeps current) and
 * drawn with the theme's colours, a legend of its own, the best epoch's
 * marker and the shaded overfitting spans.
 */
import uPlot from 'uplot';
import type { Shown, Span } from './runState.mjs';

export interface LineSpec {
  label: string;
  color: string;
  width: number;
  dash?: number[];
  /** Draw a point at each value (epoch values). */
  points: boolean;
  values: Shown;
  /** Listed in the legend (a faint companion line is not). */
  legend: boolean;
}

export interface Marks {
  best?: number | undefined;
  spans: Span[];
}

export interface ChartSpec {
  /** What the chart shows, as `data-metric`. */
  key: string;
  title: string;
  xLabel: string;
  x: number[];
  lines: LineSpec[];
  xRange: () => [number, number];
  log: boolean;
  marks?: () => Marks;
}

export interface Chart {
  spec: ChartSpec;
  plot: uPlot;
  box: HTMLElement;
  note: HTMLElement;
  data: uPlot.AlignedData;
  /** What the chart last drew, so that an unchanged chart is not redrawn. */
  drawn: number;
}

type Rgb = [number, number, number];

/** The theme's colours as the canvas needs them (it cannot read CSS variables). */
export interface Theme {
  highContrast: boolean;
  font: string;
  foreground: Rgb;
  background: Rgb;
  border: Rgb | undefined;
  blue: Rgb;
  orange: Rgb;
  /** Colours told apart, for ensemble members and earlier runs. */
  palette: Rgb[];
}

export const rgba = ([r, g, b]: Rgb, alpha = 1): string => `rgba(${r}, ${g}, ${b}, ${alpha})`;

/** A CSS colour (variables allowed) as RGB, read through a probe element. */
function resolve(css: string, probe: HTMLElement): Rgb {
  probe.style.color = '';
  probe.style.color = css;
  const [r, g, b] = (getComputedStyle(probe).color.match(/[\d.]+/g) ?? ['128', '128', '128']).map(Number);
  return [r ?? 128, g ?? 128, b ?? 128];
}

export function readTheme(): Theme {
  const probe = document.createElement('span');
  document.body.append(probe);
  const classes = document.body.classList;
  const highContrast = classes.contains('vscode-high-contrast') || classes.contains('vscode-high-contrast-light');
  const color = (name: string, fallback: string): Rgb => resolve(`var(--vscode-${name}, ${fallback})`, probe);
  const theme: Theme = {
    highContrast,
    font: `11px ${getComputedStyle(document.body).getPropertyValue('--vscode-font-family') || 'sans-serif'}`,
    foreground: color('foreground', '#616161'),
    background: color('editor-background', '#ffffff'),
    border: highContrast ? color('contrastBorder', '#6fc3df') : undefined,
    blue: color('charts-blue', '#3794ff'),
    orange: color('charts-orange', '#d18616'),
    palette: [
      color('charts-blue', '#3794ff'),
      color('charts-green', '#89d185'),
      color('charts-purple', '#b180d7'),
      color('charts-red', '#f14c4c'),
      color('charts-yellow', '#cca700'),
      color('charts-orange', '#d18616'),
    ],
  };
  probe.remove();
  return theme;
}

/** Line widths: high contrast draws heavier lines. */
export const lineWidth = (theme: Theme, width: number): number => (theme.highContrast ? width + 1 : width);

const CHART_HEIGHT = 220;

/** The grid sizes each chart's box; a hidden tab has none, so charts keep a usable minimum. */
export const chartWidth = (box: HTMLElement): number => Math.max(box.clientWidth, 300);

/** Shades the overfitting spans under the lines and draws the best epoch as a dashed line over them. */
function marksPlugin(marks: () => Marks, theme: Theme): uPlot.Plugin {
  const x = (plot: uPlot, value: number): number => Math.round(plot.valToPos(value, 'x', true));
  return {
    hooks: {
      drawClear: (plot) => {
        const { ctx, bbox } = plot;
        ctx.save();
        ctx.fillStyle = rgba(theme.orange, theme.highContrast ? 0.3 : 0.14);
        for (const { from, to } of marks().spans) {
          const left = x(plot, from);
          ctx.fillRect(left, bbox.top, x(plot, to) - left, bbox.height);
        }
        ctx.restore();
      },
      draw: (plot) => {
        const best = marks().best;
        if (best === undefined) return;
        const { ctx, bbox } = plot;
        const left = x(plot, best);
        ctx.save();
        ctx.strokeStyle = rgba(theme.foreground, theme.highContrast ? 1 : 0.7);
        ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.lineWidth = devicePixelRatio * (theme.highContrast ? 2 : 1);
        ctx.beginPath();
        ctx.moveTo(left, bbox.top);
        ctx.lineTo(left, bbox.top + bbox.height);
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

/** A log axis's range from the positive values shown (the others are left out as gaps). */
function logRange(_plot: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [0.1, 10];
  return uPlot.rangeLog(min, max, 10, true);
}

function legendOf(spec: ChartSpec): HTMLElement {
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const line of spec.lines) {
    if (!line.legend) continue;
    const item = document.createElement('span');
    item.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.borderTopColor = line.color;
    swatch.style.borderTopWidth = `${Math.max(2, line.width)}px`;
    swatch.style.borderTopStyle = line.dash ? 'dashed' : 'solid';
    item.append(swatch, line.label);
    legend.append(item);
  }
  return legend;
}

export function createChart(spec: ChartSpec, parent: HTMLElement, theme: Theme): Chart {
  const box = document.createElement('div');
  box.className = 'chart';
  box.dataset['metric'] = spec.key;
  parent.append(box);
  const grid = rgba(theme.foreground, theme.highContrast ? 0.35 : 0.12);
  const axis: uPlot.Axis = { stroke: rgba(theme.foreground), font: theme.font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const series: uPlot.Series[] = [
    {},
    ...spec.lines.map((line): uPlot.Series => ({
      label: line.label,
      stroke: line.color,
      width: line.width,
      ...(line.dash ? { dash: line.dash } : {}),
      points: line.points ? { show: true, size: theme.highContrast ? 7 : 5, fill: line.color, stroke: line.color } : { show: false },
      spanGaps: true,
    })),
  ];
  const data: uPlot.AlignedData = [spec.x, ...spec.lines.map((line) => line.values)];
  const plot = new uPlot({
    title: spec.title,
    width: chartWidth(box),
    height: CHART_HEIGHT,
    series,
    scales: {
      x: {
        time: false,
        range: () => {
          const range = spec.xRange();
          // Where the axis ends, for tests and screen readers.
          box.dataset['xMax'] = String(range[1]);
          return range;
        },
      },
      y: spec.log ? { distr: 3, log: 10, range: logRange } : {},
    },
    axes: [{ ...axis, label: spec.xLabel, labelFont: theme.font }, { ...axis, size: 60 }],
    legend: { show: false },
    plugins: spec.marks ? [marksPlugin(spec.marks, theme)] : [],
  }, data, box);
  box.dataset['yDistr'] = String(plot.scales['y']?.distr ?? 1);
  const note = document.createElement('div');
  note.className = 'note';
  box.append(legendOf(spec), note);
  return { spec, plot, box, note, data, drawn: -1 };
}

/** Redraws a chart from its (updated in place) display arrays, now rather than in a later microtask. */
export function redraw(chart: Chart): void {
  chart.plot.batch(() => chart.plot.setData(chart.data));
}

export function destroyChart(chart: Chart): void {
  chart.plot.destroy();
  chart.box.remove();
}

export function resizeChart(chart: Chart): void {
  chart.plot.setSize({ width: chartWidth(chart.box), height: CHART_HEIGHT });
}
