/// <reference lib="dom" />
/**
 * The workload with uPlot, configured as the panel's loss chart: aligned
 * columns, the batch loss as a thin line, the epoch losses as points joined
 * across their gaps. `batch` makes uPlot draw before it returns instead of
 * in a microtask.
 */
import uPlot from 'uplot';
import { chartBox, COLORS, expose, FONT, HEIGHT, runLive, runReplay, WIDTH } from './workload.mjs';

let draws = 0;

function options(): uPlot.Options {
  const axis = { stroke: COLORS.foreground, font: FONT, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1 } };
  const point = (color: string) => ({ show: true, size: 6, fill: color, stroke: color });
  return {
    title: 'loss',
    width: WIDTH,
    height: HEIGHT,
    series: [
      {},
      { label: 'loss (batch)', stroke: COLORS.batch, width: 1, points: { show: false }, spanGaps: true },
      { label: 'loss', stroke: COLORS.train, width: 1.5, points: point(COLORS.train), spanGaps: true },
      { label: 'val_loss', stroke: COLORS.validation, width: 1.5, points: point(COLORS.validation), spanGaps: true },
    ],
    scales: { x: { time: false } },
    axes: [{ ...axis, label: 'epoch', labelFont: FONT }, { ...axis, size: 60 }],
    legend: { live: false },
    hooks: { draw: [() => void draws++] },
  };
}

expose({
  live: () => runLive((run) => {
    const columns: [number[], (number | null)[], (number | null)[], (number | null)[]] = [[], [], [], []];
    const box = chartBox();
    const plot = new uPlot(options(), columns, (self, init) => {
      box.append(self.root);
      self.batch(init);
    });
    return {
      canvas: plot.ctx.canvas,
      update(from, to) {
        for (let i = from; i < to; i++) {
          columns[0].push(run.x[i]!);
          columns[1].push(run.batchLoss[i]!);
          columns[2].push(run.epochLoss[i]!);
          columns[3].push(run.valLoss[i]!);
        }
        plot.batch(() => plot.setData(columns));
      },
      rows: () => plot.data[0].length,
      destroy() { plot.destroy(); box.remove(); },
    };
  }, () => draws),
  replay: () => runReplay(
    (run) => [run.x.slice(), run.batchLoss.slice(), run.epochLoss.slice(), run.valLoss.slice()] as uPlot.AlignedData,
    (columns) => {
      const box = chartBox();
      const plot = new uPlot(options(), columns, (self, init) => {
        box.append(self.root);
        self.batch(init);
      });
      return { canvas: plot.ctx.canvas, rows: () => plot.data[0].length, destroy() { plot.destroy(); box.remove(); } };
    },
    () => draws,
  ),
});
