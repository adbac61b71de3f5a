/// <reference lib="dom" />
/**
 * The workload with Chart.js 4, configured as the panel's loss chart and as
 * Chart.js's performance advice has it: no animation, data already in the
 * internal {x, y} form (`parsing: false`, `normalized: true`), `spanGaps`,
 * no point drawing on the batch line, and optionally the decimation plugin
 * (min-max, which keeps each pixel column's extremes). The epoch series hold
 * only their own points, which a linear x axis allows. With animation off,
 * `update('none')` and the constructor draw before they return.
 *
 * Only the parts the chart uses are registered; bench/chartLibraries.ts
 * measures the bundle of the same list.
 */
import { Chart, Decimation, Legend, LinearScale, LineController, LineElement, PointElement, Title, type ChartConfiguration } from 'chart.js';
import { chartBox, COLORS, expose, FONT, HEIGHT, runLive, runReplay, WIDTH, type Run } from './workload.mjs';

Chart.register(LineController, LineElement, PointElement, LinearScale, Title, Legend, Decimation);

type Point = { x: number; y: number };
interface Series { batch: Point[]; epoch: Point[]; validation: Point[] }

let draws = 0;

function config(series: Series, decimation: boolean): ChartConfiguration<'line', Point[]> {
  const font = { size: Number.parseInt(FONT, 10), family: FONT.replace(/^\S+\s/, '') };
  const axis = { ticks: { color: COLORS.foreground, font }, grid: { color: COLORS.grid } };
  const points = (color: string) => ({ borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: 3, spanGaps: true });
  return {
    type: 'line',
    data: {
      datasets: [
        { label: 'loss (batch)', data: series.batch, borderColor: COLORS.batch, borderWidth: 1, pointRadius: 0, spanGaps: true },
        { label: 'loss', data: series.epoch, ...points(COLORS.train) },
        { label: 'val_loss', data: series.validation, ...points(COLORS.validation) },
      ],
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epoch', color: COLORS.foreground, font }, ...axis },
        y: { type: 'linear', ...axis },
      },
      plugins: {
        title: { display: true, text: 'loss', color: COLORS.foreground },
        legend: { labels: { color: COLORS.foreground, font } },
        decimation: { enabled: decimation, algorithm: 'min-max' },
      },
    },
    plugins: [{ id: 'drawCount', afterDraw: () => void draws++ }],
  };
}

function canvas(): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const box = chartBox();
  const element = document.createElement('canvas');
  element.width = WIDTH;
  element.height = HEIGHT;
  box.append(element);
  return { box, canvas: element };
}

/** Rows held: the batch series' own array, which the decimation plugin keeps aside while it shows a decimated one. */
function rows(series: Series): number {
  return series.batch.length;
}

function seriesOf(run: Run, from: number, to: number, into: Series): void {
  for (let i = from; i < to; i++) {
    const x = run.x[i]!;
    into.batch.push({ x, y: run.batchLoss[i]! });
    const epoch = run.epochLoss[i];
    if (epoch !== null && epoch !== undefined) into.epoch.push({ x, y: epoch });
    const validation = run.valLoss[i];
    if (validation !== null && validation !== undefined) into.validation.push({ x, y: validation });
  }
}

expose({
  live: ({ decimation }) => runLive((run) => {
    const series: Series = { batch: [], epoch: [], validation: [] };
    const { box, canvas: element } = canvas();
    const chart = new Chart(element, config(series, decimation));
    return {
      canvas: element,
      update(from, to) {
        seriesOf(run, from, to, series);
        chart.update('none');
      },
      rows: () => rows(series),
      destroy() { chart.destroy(); box.remove(); },
    };
  }, () => draws),
  replay: ({ decimation }) => runReplay(
    (run) => {
      const series: Series = { batch: [], epoch: [], validation: [] };
      seriesOf(run, 0, run.x.length, series);
      return series;
    },
    (series) => {
      const { box, canvas: element } = canvas();
      const chart = new Chart(element, config(series, decimation));
      return { canvas: element, rows: () => rows(series), destroy() { chart.destroy(); box.remove(); } };
    },
    () => draws,
  ),
});
