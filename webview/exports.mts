/// <reference lib="dom" />
/**
 * What the export buttons save: the charts as one PNG (their canvases with
 * titles and legends), the same charts as an SVG drawn from the display
 * arrays, and the epoch history as CSV.
 */
import { rgba, type Chart, type Theme } from './charts.mjs';
import type { RunState } from './runState.mjs';

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A number short enough for a tick label. */
const tickLabel = (value: number): string => String(Number(value.toPrecision(4)));

/** Round tick values over [min, max]: steps of 1, 2 or 5 times a power of ten. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.ceil(Math.log10(min)); power <= Math.floor(Math.log10(max)); power++) ticks.push(10 ** power);
  return ticks;
}

/** The charts as one image: each chart's canvas under its title, its legend below, on the theme's background. */
export function chartsPng(charts: Chart[], theme: Theme): string {
  const ratio = devicePixelRatio || 1;
  const titleHeight = Math.round(26 * ratio);
  const legendRow = Math.round(18 * ratio);
  const width = Math.max(300 * ratio, ...charts.map((chart) => chart.plot.ctx.canvas.width));
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = theme.font.replace(/^(\d+)px/, (_, px: string) => `${Number(px) * ratio}px`);
  // Legend items wrapped into rows that fit the width.
  const layouts = charts.map((chart) => {
    const rows: { label: string; color: string; dash: boolean; x: number }[][] = [[]];
    let x = 8 * ratio;
    for (const line of chart.spec.lines.filter((l) => l.legend)) {
      const itemWidth = 24 * ratio + measure.measureText(line.label).width + 12 * ratio;
      if (x + itemWidth > width && rows.at(-1)!.length) { rows.push([]); x = 8 * ratio; }
      rows.at(-1)!.push({ label: line.label, color: line.color, dash: Boolean(line.dash), x });
      x += itemWidth;
    }
    return rows;
  });
  const heights = charts.map((chart, i) => titleHeight + chart.plot.ctx.canvas.height + layouts[i]!.length * legendRow + 8 * ratio);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = Math.max(1, heights.reduce((a, b) => a + b, 0));
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = rgba(theme.background);
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.textBaseline = 'middle';
  let top = 0;
  charts.forEach((chart, i) => {
    ctx.fillStyle = rgba(theme.foreground);
    ctx.font = `600 ${measure.font}`;
    ctx.textAlign = 'center';
    ctx.fillText(chart.spec.title, width / 2, top + titleHeight / 2);
    ctx.drawImage(chart.plot.ctx.canvas, 0, top + titleHeight);
    ctx.font = measure.font;
    ctx.textAlign = 'left';
    let y = top + titleHeight + chart.plot.ctx.canvas.height + legendRow / 2;
    for (const row of layouts[i]!) {
      for (const item of row) {
        ctx.strokeStyle = item.color;
        ctx.lineWidth = 2 * ratio;
        ctx.setLineDash(item.dash ? [4 * ratio, 3 * ratio] : []);
        ctx.beginPath();
        ctx.moveTo(item.x, y);
        ctx.lineTo(item.x + 18 * ratio, y);
        ctx.stroke();
        ctx.fillStyle = rgba(theme.foreground);
        ctx.fillText(item.label, item.x + 24 * ratio, y);
      }
      y += legendRow;
    }
    top += heights[i]!;
  });
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

const SVG_WIDTH = 640;
const SVG_HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 32, bottom: 72 };

/** One chart as an SVG group: axes with ticks, the overfitting spans and best epoch, a polyline per line (joined over gaps, as drawn), epoch points, a legend. */
function chartSvg(chart: Chart, theme: Theme, top: number): string {
  const { spec, plot } = chart;
  const log = plot.scales['y']?.distr === 3;
  const xMin = plot.scales['x']?.min ?? 0;
  const xMax = plot.scales['x']?.max ?? 1;
  let yMin = plot.scales['y']?.min ?? 0;
  let yMax = plot.scales['y']?.max ?? 1;
  if (!(yMax > yMin)) { yMin = log ? yMin / 10 : yMin - 1; yMax = log ? yMax * 10 : yMax + 1; }
  const plotWidth = SVG_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = SVG_HEIGHT - MARGIN.top - MARGIN.bottom;
  const fy = (value: number): number => (log ? Math.log10(value) : value);
  const px = (value: number): number => MARGIN.left + ((value - xMin) / (xMax - xMin || 1)) * plotWidth;
  const py = (value: number): number => MARGIN.top + plotHeight - ((fy(value) - fy(yMin)) / (fy(yMax) - fy(yMin) || 1)) * plotHeight;
  const round = (value: number): string => value.toFixed(1);
  const fg = rgba(theme.foreground);
  const grid = rgba(theme.foreground, 0.15);
  const parts: string[] = [`<g transform="translate(0 ${top})">`];
  parts.push(`<text x="${SVG_WIDTH / 2}" y="18" text-anchor="middle" font-weight="600" fill="${fg}">${escapeXml(spec.title)}</text>`);
  for (const tick of log ? logTicks(yMin, yMax) : linearTicks(yMin, yMax)) {
    const y = round(py(tick));
    parts.push(`<line x1="${MARGIN.left}" x2="${SVG_WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="${grid}"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="${fg}">${tickLabel(tick)}</text>`);
  }
  for (const tick of linearTicks(xMin, xMax)) {
    const x = round(px(tick));
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight + 4}" stroke="${fg}"/>`);
    parts.push(`<text x="${x}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" fill="${fg}">${tickLabel(tick)}</text>`);
  }
  const marks = spec.marks?.();
  for (const { from, to } of marks?.spans ?? []) {
    parts.push(`<rect x="${round(px(from))}" y="${MARGIN.top}" width="${round(px(to) - px(from))}" height="${plotHeight}" fill="${rgba(theme.orange, 0.14)}"><title>overfitting: epochs ${from}–${to}</title></rect>`);
  }
  if (marks?.best !== undefined) {
    const x = round(px(marks.best));
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="${fg}" stroke-dasharray="4 4"><title>best epoch ${marks.best}</title></line>`);
  }
  parts.push(`<path d="M${MARGIN.left} ${MARGIN.top}V${MARGIN.top + plotHeight}H${SVG_WIDTH - MARGIN.right}" fill="none" stroke="${fg}"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 32}" text-anchor="middle" fill="${fg}">${escapeXml(spec.xLabel)}</text>`);
  for (const line of spec.lines) {
    const points: string[] = [];
    line.values.forEach((value, i) => {
      if (value !== null && (!log || value > 0)) points.push(`${round(px(spec.x[i]!))},${round(py(value))}`);
    });
    if (!points.length) continue;
    const dash = line.dash ? ` stroke-dasharray="${line.dash.join(' ')}"` : '';
    parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="${line.width}"${dash} points="${points.join(' ')}"/>`);
    if (line.points) for (const point of points) {
      const [x, y] = point.split(',');
      parts.push(`<circle cx="${x}" cy="${y}" r="2.5" fill="${line.color}"/>`);
    }
  }
  let x = MARGIN.left;
  let y = MARGIN.top + plotHeight + 52;
  for (const line of spec.lines.filter((l) => l.legend)) {
    const width = 30 + line.label.length * 7;
    if (x + width > SVG_WIDTH && x > MARGIN.left) { x = MARGIN.left; y += 16; }
    const dash = line.dash ? ' stroke-dasharray="4 3"' : '';
    parts.push(`<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${line.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${x + 24}" y="${y}" dominant-baseline="middle" fill="${fg}">${escapeXml(line.label)}</text>`);
    x += width;
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** The charts stacked in one SVG document. */
export function chartsSvg(charts: Chart[], theme: Theme): string {
  const height = Math.max(1, charts.length) * SVG_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SVG_WIDTH}" height="${height}" viewBox="0 0 ${SVG_WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="${rgba(theme.background)}"/>`,
    ...charts.map((chart, i) => chartSvg(chart, theme, i * SVG_HEIGHT)),
    '</svg>',
    '',
  ].join('\n');
}

const csvField = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The epoch history: a row per epoch (per model of the block and per member of an ensemble), a column per metric, then the learning rate and seconds. */
export function historyCsv(state: RunState): string {
  const names = new Set<string>();
  for (const member of state.members) for (const epoch of member.epochs) for (const name of Object.keys(epoch.metrics)) names.add(name);
  const base = (name: string): string => name.replace(/^val_/, '');
  const metrics = [...names].sort((a, b) =>
    Number(a.startsWith('val_')) - Number(b.startsWith('val_')) || Number(base(b) === 'loss') - Number(base(a) === 'loss') || a.localeCompare(b));
  const models = state.multiModel;
  const ensemble = state.anyEnsemble;
  const header = [...(models ? ['model'] : []), ...(ensemble ? ['member'] : []), 'epoch', ...metrics, 'learning_rate', 'seconds'];
  const rows = [header.map(csvField).join(',')];
  for (const member of state.members) {
    for (const epoch of member.epochs) {
      const cells = [
        ...(models ? [csvField(member.model)] : []),
        ...(ensemble ? [member.members > 1 ? String(member.index + 1) : ''] : []),
        String(epoch.epoch),
        ...metrics.map((name) => (epoch.metrics[name] === undefined ? '' : String(epoch.metrics[name]))),
        String(epoch.learningRate),
        String(epoch.seconds),
      ];
      rows.push(cells.join(','));
    }
  }
  return rows.join('\n') + '\n';
}

/** A model name as a file name's stem. */
export const fileStem = (model: string | undefined): string => (model ?? 'training').replace(/[^\w.-]+/g, '_') || 'training';
