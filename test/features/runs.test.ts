/**
 * A model's last run in the editor: the sparkline, the lens title with the
 * latest figures, the lens over the train block, and the hover's chart as
 * an SVG image.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHover, getRunLenses, runChartSvg, runLensTitle, sparkline, type RunRecord } from '../../core';
import { atCursor } from './cursor';

const losses = [1.2, 0.8, 0.5, 0.3, 0.12];
const run = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  model: 'Xor',
  startedAt: '2026-11-27T20:00:00.000Z',
  dir: '/runs/Xor/1',
  plannedEpochs: 5,
  reason: 'completed',
  epochs: losses.map((loss, index) => ({ epoch: index + 1, metrics: { loss, acc: 0.5 + index / 10, val_loss: loss + 0.05, val_acc: 0.93 } })),
  ...overrides,
});

const FILE = `model Xor {
  input [2]
  Dense(4, activation=tanh)
  Dense(1, activation=sigmoid)
}

tr|ain Xor {
  data = xor()
  loss = binary_crossentropy
  optimizer = Adam()
  epochs = 5
}
`;

describe('run sparklines and lenses', () => {
  it('draws values low to high as bar characters, resampling long series', () => {
    assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([5, 1]), '█▁');
    assert.equal(sparkline([2, 2, 2]), '▅▅▅');
    assert.equal(sparkline([]), '');
    assert.equal(sparkline([1, Number.NaN, 3]), '▁ █');
    const long = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(sparkline(long), '█▇▆▅▄▃▂▁');
    assert.equal([...sparkline(long, 4)].length, 4);
  });

  it('titles a finished run with the loss sparkline, the last loss and the validation accuracy', () => {
    assert.equal(runLensTitle(run()), 'loss █▅▃▂▁ 0.12 · val_acc 0.93');
  });

  it('says the epoch while a run goes on, and how a run ended early', () => {
    assert.equal(runLensTitle(run({ reason: undefined, epochs: run().epochs.slice(0, 3) })), 'epoch 3/5 · loss █▄▁ 0.50 · val_acc 0.93');
    assert.match(runLensTitle(run({ reason: 'stopped' })), / · stopped$/);
    assert.equal(runLensTitle(run({ reason: undefined, epochs: [] })), 'training…');
  });

  it('gives an ended run\'s figures of the model it saved: the best epoch\'s where its weights were restored', () => {
    const epochs = losses.map((loss, index) => ({ epoch: index + 1, metrics: { loss, val_acc: [0.7, 0.8, 0.95, 0.9, 0.9][index]! } }));
    const restored = run({ reason: 'early-stopping', epochs, best: { epoch: 3, monitor: 'val_acc', value: 0.95, restored: true } });
    assert.equal(runLensTitle(restored), 'loss █▅▃▂▁ 0.50 · val_acc 0.95 · best epoch 3, restored · early-stopping');
    // Not restored: the last epoch's figures, and the best epoch named beside them.
    assert.equal(runLensTitle(run({ epochs, best: { epoch: 3, monitor: 'val_acc', value: 0.95, restored: false } })), 'loss █▅▃▂▁ 0.12 · val_acc 0.90 · best epoch 3');
    // The best epoch is the last: nothing to add.
    assert.equal(runLensTitle(run({ best: { epoch: 5, monitor: 'val_loss', value: 0.17, restored: false } })), 'loss █▅▃▂▁ 0.12 · val_acc 0.93');
    // While it runs the lens follows the latest epoch.
    assert.equal(runLensTitle(run({ reason: undefined, epochs: epochs.slice(0, 4), best: { epoch: 3, monitor: 'val_acc', value: 0.95, restored: false } })), 'epoch 4/5 · loss █▅▃▁ 0.30 · val_acc 0.90');
  });

  it('marks the best epoch in the hover\'s chart, dashed', () => {
    const dashed = (svg: string) => [...svg.matchAll(/<path d="M([\d.]+) [\d.]+V[\d.]+"[^>]*stroke-dasharray/g)].map((match) => Number(match[1]));
    assert.deepEqual(dashed(runChartSvg(run())), []);
    const [x] = dashed(runChartSvg(run({ best: { epoch: 3, monitor: 'val_loss', value: 0.55, restored: true } })));
    // Epoch 3 of 1–5: halfway across the plot (40 to 350).
    assert.equal(x, 195);
  });

  it('falls back to the training metric, then to val_loss, without validation accuracy', () => {
    const only = run({ epochs: [{ epoch: 1, metrics: { loss: 0.4, acc: 0.8 } }] });
    assert.equal(runLensTitle(only), 'loss ▅ 0.40 · acc 0.80');
    const regression = run({ epochs: [{ epoch: 1, metrics: { loss: 0.004, val_loss: 12345 } }] });
    assert.equal(runLensTitle(regression), 'loss ▅ 4.0e-3 · val_loss 1.2e+4');
  });

  it('puts a lens over the train block of each model that has a run, naming the folder', () => {
    const { analysis, text } = atCursor(FILE);
    const lenses = getRunLenses(analysis, (model) => (model === 'Xor' ? run() : undefined));
    assert.equal(lenses.length, 1);
    assert.equal(text.slice(lenses[0]!.range.pos, lenses[0]!.range.end), 'train Xor');
    assert.deepEqual(lenses[0]!.action, { kind: 'showRun', model: 'Xor', dir: '/runs/Xor/1' });
    assert.equal(getRunLenses(analysis, () => undefined).length, 0);
  });

  it('shows the last run as an SVG chart in the train block\'s hover', () => {
    const { analysis, offset } = atCursor(FILE);
    const hover = getHover(analysis, offset, { lastRun: () => run() })!;
    const image = /!\[[^\]]*\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\)/.exec(hover.markdown);
    assert.ok(image, hover.markdown);
    const svg = Buffer.from(image[1]!, 'base64').toString('utf8');
    assert.equal(svg, runChartSvg(run()));
    assert.match(hover.markdown, /loss █▅▃▂▁ 0\.12/);
    // Without runs the train keyword has no hover at all.
    assert.equal(getHover(analysis, offset), undefined);
  });

  it('draws one polyline per series, with a point per epoch, inside the picture', () => {
    const svg = runChartSvg(run());
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((match) => match[1]!.split(' ').map((pair) => pair.split(',').map(Number)));
    assert.equal(lines.length, 2);
    for (const points of lines) {
      assert.equal(points.length, 5);
      for (const [x, y] of points) assert.ok(x! >= 0 && x! <= 360 && y! >= 0 && y! <= 150, `${x},${y}`);
      // Epochs go left to right.
      assert.ok(points.every((point, i) => i === 0 || point[0]! > points[i - 1]![0]!));
    }
    // Loss falls: the line goes down the picture (y grows downwards).
    assert.ok(lines[0]![4]![1]! > lines[0]![0]![1]!);
  });
});
