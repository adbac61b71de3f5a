/**
 * The training panel's page in headless Chromium, under the page's own
 * Content-Security-Policy, fed the events of a real run and streams built in
 * the protocol's shape: what the charts hold (smoothing, log scale,
 * overfitting spans, ensemble members, the models of one block), the Data, Evaluation and Runs tabs,
 * every control's message, a failure, a 50,000-batch replay, and no CSP
 * violation or console error throughout. Screenshots of the light, dark and
 * high contrast themes go to test-results/. The page runs with the test
 * flag (see openPanel), except where a test checks what it writes without;
 * the numbers behind the charts are RunState's, checked in
 * test/runState.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { EarlierRun, PanelPageMessage } from '../protocol/panel';
import { describeWasm, type BatchEvent, type DataEvent, type EpochEvent, type EvaluationEvent, type FailedEvent, type FinishedEvent, type StartedEvent, type TrainerEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';
import { repoRoot } from './support';
import { CHROMIUM, DARK, HIGH_CONTRAST, LIGHT, openPanel, post, setTheme, type Panel } from './webviewHost';
import { startedEvent, syntheticRun } from './webviewStreams';

const EPOCHS = 15;
const skip = !existsSync(CHROMIUM) && !process.env['CI'] ? `${CHROMIUM} is missing (install Debian's chromium; under CI this test fails instead)` : false;
const results = join(repoRoot, 'test-results');

const NET = `model Blobs {
  input [2]
  Dense(64, activation=relu)
  Dense(3, activation=softmax)
}

train Blobs {
  data = blobs(samples=240, centers=3, std=4)
  validation = 0.25
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.05)
  metrics = [accuracy]
  batch_size = 16
  epochs = ${EPOCHS}
  seed = 5
}
`;

/** Sends events as the host does: coalesced in messages of `size`. */
async function play(page: Page, events: TrainerEvent[], size = 25): Promise<void> {
  for (let i = 0; i < events.length; i += size) await post(page, { type: 'events', events: events.slice(i, i + size) });
}

async function fresh(page: Page, events: TrainerEvent[]): Promise<void> {
  await post(page, { type: 'reset', run: { file: 'test.net' } });
  await play(page, events);
}

const posted = (page: Page, type: PanelPageMessage['type']): Promise<PanelPageMessage[]> =>
  page.evaluate(`window.__posted.filter((m) => m.type === ${JSON.stringify(type)})`) as Promise<PanelPageMessage[]>;

const attribute = async (page: Page, selector: string, name: string): Promise<string | null> => page.locator(selector).first().getAttribute(name);

/** Waits until an element's attribute has the value (the page draws on the next frame). */
async function until(page: Page, selector: string, name: string, value: string): Promise<void> {
  await page.locator(`${selector}[${name}="${value}"]`).first().waitFor({ timeout: 10_000 }).catch(async () => {
    assert.fail(`${selector} ${name}: ${await attribute(page, selector, name)}, expected ${value}`);
  });
}

/** A run's events with an evaluation of each model just before its `finished`, as the engine sends one for a classifier. */
function withEvaluation(stream: TrainerEvent[]): TrainerEvent[] {
  return stream.flatMap((event): TrainerEvent[] => event.type !== 'finished' ? [event] : [
    { type: 'evaluation', model: event.model, on: 'validation', classes: [0, 1], confusion: [[5, 1], [2, 4]], worst: [] } satisfies EvaluationEvent,
    event,
  ]);
}

/** Debiased exponential moving average's last value, computed here from the batch values. */
function emaLast(values: number[], smoothing: number): number {
  let ema = 0;
  let weight = 0;
  for (const value of values) {
    ema = smoothing * ema + (1 - smoothing) * value;
    weight = smoothing * weight + (1 - smoothing);
  }
  return ema / weight;
}

async function clickTab(page: Page, id: string): Promise<void> {
  await page.locator(`#${id}`).click();
  await page.locator(`#${id}[aria-selected="true"]`).waitFor();
}

/** A canvas's pixel at (x, y) as [r, g, b]. */
const pixel = (page: Page, selector: string, index: number, x: number, y: number): Promise<number[]> =>
  page.evaluate(`Array.from(document.querySelectorAll(${JSON.stringify(selector)})[${index}].getContext('2d').getImageData(${x}, ${y}, 1, 1).data.slice(0, 3))`) as Promise<number[]>;

describe('the training panel page in Chromium', { skip }, () => {
  let events: TrainerEvent[];
  let summary: string;
  let panel: Panel;
  const scratch = mkdtempSync(join(tmpdir(), 'layerwise-panel-'));

  before(async () => {
    const file = join(scratch, 'blobs.net');
    writeFileSync(file, NET);
    const run = new TrainingProcess({ type: 'start', file, runsDir: join(scratch, 'runs') }, join(repoRoot, 'out', 'trainer', 'child.js'));
    events = (await run.done).events;
    const finished = events.find((e): e is FinishedEvent => e.type === 'finished');
    assert.ok(finished, JSON.stringify(events.filter((e) => e.type === 'failed')));
    summary = readFileSync(finished.artifacts.summary, 'utf8');
    panel = await openPanel({ testHooks: true });
    mkdirSync(results, { recursive: true });
  });
  after(async () => {
    await panel?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('charts every batch and epoch, marks the best epoch, and shows the summary, in light, dark and high contrast themes', async () => {
    const { page } = panel;
    await setTheme(page, LIGHT);
    await post(page, { type: 'reset', run: { file: 'blobs.net' } });
    // Batches of 25 events, as the host coalesces them.
    await play(page, events);
    await post(page, { type: 'summary', text: summary });

    const started = events.find((e): e is StartedEvent => e.type === 'started')!;
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    const batches = events.filter((e) => e.type === 'batch').length;
    assert.equal(epochs.length, EPOCHS);
    assert.equal(batches, EPOCHS * started.batchesPerEpoch);
    // The trainer's best epoch, which the panel marks: without EarlyStopping, the lowest val_loss.
    const best = events.find((e): e is FinishedEvent => e.type === 'finished')!.bestEpoch;
    assert.equal(best, epochs.reduce((a, b) => (b.metrics['val_loss']! < a.metrics['val_loss']! ? b : a)).epoch);

    const loss = page.locator('.chart[data-metric="loss"]');
    await loss.and(page.locator(`[data-epoch-points="${EPOCHS}"]`)).waitFor();
    assert.equal(await loss.getAttribute('data-batch-points'), String(batches));
    assert.equal(await page.locator('.chart[data-metric="acc"]').getAttribute('data-epoch-points'), String(EPOCHS));
    assert.equal(await page.locator('.chart[data-metric="learning rate"]').getAttribute('data-epoch-points'), String(EPOCHS));
    assert.equal(await page.locator('#epoch').textContent(), `${EPOCHS} of ${EPOCHS}`);
    assert.equal(await page.locator('#sizes').textContent(), `${started.data.train} / ${started.data.validation}`);
    // The backend with its version, and the folder it was loaded from.
    // On wasm, the build and its threads too.
    const wasm = started.backendInfo!.wasm;
    assert.equal(await page.locator('#backend').textContent(), `${started.backend} ${started.backendInfo!.version}${wasm ? ` (${describeWasm(wasm)})` : ''}`);
    assert.equal(await page.locator('#backend-folder').textContent(), started.backendInfo!.folder);
    assert.ok(await page.locator('#backend-folder').isVisible());
    assert.equal(await page.locator('#params').textContent(), started.params.total.toLocaleString('en-US'));
    assert.equal(await page.locator('#speed').textContent(), Math.round(epochs.at(-1)!.samplesPerSecond).toLocaleString('en-US'));
    assert.match(await page.locator('#best').textContent() ?? '', new RegExp(`^${best} \\(val_loss`));
    assert.equal(await page.locator('#status').textContent(), 'finished');
    // The run is over: no time left to estimate.
    assert.equal(await page.locator('#time-left').textContent(), '–');

    await page.screenshot({ path: join(results, 'panel-light.png'), fullPage: true });
    await setTheme(page, DARK);
    await loss.and(page.locator(`[data-epoch-points="${EPOCHS}"]`)).waitFor();
    await page.screenshot({ path: join(results, 'panel-dark.png'), fullPage: true });
    const before = await loss.elementHandle();
    await setTheme(page, HIGH_CONTRAST);
    // The charts are rebuilt for the new theme, and high contrast borders every chart with the contrast border colour.
    await page.waitForFunction((old) => document.querySelector('.chart[data-metric="loss"]') !== old, before);
    await loss.and(page.locator(`[data-epoch-points="${EPOCHS}"]`)).waitFor();
    assert.equal(await loss.evaluate((box) => getComputedStyle(box).borderTopColor), 'rgb(111, 195, 223)');
    await page.screenshot({ path: join(results, 'panel-high-contrast.png'), fullPage: true });
    await setTheme(page, LIGHT);

    await clickTab(page, 'tab-summary');
    await page.locator('#summary').filter({ visible: true }).waitFor();
    // The table becomes a grid, one row per layer; the model's name and the totals stay as text below it.
    const layers = [...summary.matchAll(/^ (\S+) \((\w+)\)/gm)].map((match) => `${match[1]} (${match[2]})`).filter((layer) => layer !== 'Layer (type)');
    assert.ok(layers.length >= 3);
    const grid = page.locator('#summary-grid');
    await grid.locator('vscode-data-grid-row').nth(layers.length).waitFor();
    const cells = await grid.locator('vscode-data-grid-row').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('vscode-data-grid-cell')].map((cell) => cell.textContent?.trim())));
    assert.deepEqual(cells[0], ['Layer (type)', 'Output Shape', 'Param #']);
    assert.deepEqual(cells.slice(1).map((row) => row[0]), layers);
    const dense = cells.find((row) => row[0]?.endsWith('(Dense)') && row[1] === '(None, 64)');
    assert.equal(dense?.[2], '192');
    const below = await page.locator('#summary').textContent();
    assert.match(below!, /^Model: "Blobs"\nTotal params: [\d,]+ .*\nTrainable params: .*\nNon-trainable params: /);

    await clickTab(page, 'tab-epochs');
    await page.locator('#epochs vscode-data-grid-row[row-type="default"]').nth(EPOCHS - 1).waitFor();
    assert.equal(await page.locator('#epochs vscode-data-grid-row[row-type="default"]').count(), EPOCHS);
    await clickTab(page, 'tab-charts');
  });

  it('smooths the batch line with the chosen EMA, keeping the raw line', async () => {
    const { page } = panel;
    const losses = events.filter((e): e is BatchEvent => e.type === 'batch').map((e) => e.metrics['loss']!);
    const loss = '.chart[data-metric="loss"]';

    await page.locator('#smoothing').fill('0');
    // Without smoothing the smoothed line ends on the last raw value (test/runState.test.ts checks whole lines).
    await until(page, loss, 'data-smoothed-last', losses.at(-1)!.toPrecision(6));
    assert.equal(await page.locator('#smoothing-range').inputValue(), '0');

    await page.locator('#smoothing').fill('0.9');
    await until(page, loss, 'data-smoothed-last', emaLast(losses, 0.9).toPrecision(6));
    assert.equal(await page.locator('#smoothing-range').inputValue(), '0.9');

    // The slider drives the same setting.
    await page.locator('#smoothing-range').evaluate((input: HTMLInputElement) => {
      input.value = '0.5';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await until(page, loss, 'data-smoothed-last', emaLast(losses, 0.5).toPrecision(6));
    assert.equal(await page.locator('#smoothing').inputValue(), '0.5');
    // Values outside 0..0.99 are held to it.
    await page.locator('#smoothing').fill('5');
    await until(page, loss, 'data-smoothed-last', emaLast(losses, 0.99).toPrecision(6));
    await page.locator('#smoothing').fill('0.6');
    await until(page, loss, 'data-smoothed-last', emaLast(losses, 0.6).toPrecision(6));
  });

  it('posts each control\'s message: save model, open run folder, and PNG, SVG and CSV exports', async () => {
    const { page } = panel;
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');

    await page.locator('#save-model:not([disabled])').click();
    assert.deepEqual(await posted(page, 'saveModel'), [{ type: 'saveModel' }]);
    await page.locator('#open-folder:not([disabled])').click();
    assert.deepEqual(await posted(page, 'openRunFolder'), [{ type: 'openRunFolder' }]);

    await page.locator('#export-png:not([disabled])').click();
    await page.locator('#export-svg').click();
    await page.locator('#export-csv').click();
    const exports = await posted(page, 'export') as Extract<PanelPageMessage, { type: 'export' }>[];
    assert.deepEqual(exports.map((e) => [e.format, e.fileName]), [['png', 'Blobs-charts.png'], ['svg', 'Blobs-charts.svg'], ['csv', 'Blobs-history.csv']]);

    const png = Buffer.from(exports[0]!.content, 'base64');
    writeFileSync(join(results, 'export.png'), png);
    writeFileSync(join(results, 'export.svg'), exports[1]!.content);
    writeFileSync(join(results, 'export.csv'), exports[2]!.content);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const charts = await page.locator('.chart').count();
    // IHDR: the image is as wide as a chart's canvas and taller than all of them stacked.
    const canvasHeights = await page.locator('.chart canvas').evaluateAll((canvases: HTMLCanvasElement[]) => canvases.map((c) => c.height));
    assert.equal(canvasHeights.length, charts);
    assert.ok(png.readUInt32BE(20) > canvasHeights.reduce((a, b) => a + b, 0), `png height ${png.readUInt32BE(20)}`);
    assert.ok(png.readUInt32BE(16) >= 300);

    const svg = exports[1]!.content;
    assert.ok(svg.startsWith('<svg'), svg.slice(0, 40));
    const legendEntries = await page.locator('.chart .legend-item').count();
    assert.equal(svg.match(/<g /g)?.length, charts);
    // One polyline for every line with data: the legend's lines and the faint raw batch lines (one per metric chart with batches).
    const rawLines = await page.locator('.chart[data-batch-points]:not([data-batch-points="0"])').count();
    assert.equal(svg.match(/<polyline /g)?.length, legendEntries + rawLines);
    assert.equal(svg.match(/<circle /g)?.length, 5 * EPOCHS, 'points of loss, val_loss, acc, val_acc and the learning rate');
    const best = epochs.reduce((a, b) => (b.metrics['val_loss']! < a.metrics['val_loss']! ? b : a)).epoch;
    assert.equal(svg.match(new RegExp(`<title>best epoch ${best}</title>`, 'g'))?.length, charts);

    const [header, ...rows] = exports[2]!.content.trimEnd().split('\n');
    const columns = header!.split(',');
    assert.deepEqual(new Set(columns), new Set(['epoch', ...Object.keys(epochs[0]!.metrics), 'learning_rate', 'seconds']));
    assert.equal(columns.length, new Set(columns).size);
    assert.equal(rows.length, EPOCHS);
    rows.forEach((row, i) => {
      const cells = Object.fromEntries(row.split(',').map((cell, j) => [columns[j]!, Number(cell)]));
      assert.equal(cells['epoch'], epochs[i]!.epoch);
      for (const [name, value] of Object.entries(epochs[i]!.metrics)) assert.equal(cells[name], value, name);
      assert.equal(cells['learning_rate'], epochs[i]!.learningRate);
    });
  });

  it('draws the y axis on a true log scale, leaving out values that are not positive', async () => {
    const { page } = panel;
    // Accuracy is 0 for the first three batches, which a log axis cannot show.
    const stream = syntheticRun({
      epochs: 4, batchesPerEpoch: 10,
      batch: (_m, epoch, batch) => ({ loss: 2 / (epoch + batch / 10), acc: epoch === 1 && batch <= 3 ? 0 : 0.5 + epoch / 10 }),
    });
    await fresh(page, stream);
    await until(page, '.chart[data-metric="loss"]', 'data-epoch-points', '4');
    assert.equal(await attribute(page, '.chart[data-metric="loss"]', 'data-y-distr'), '1');

    await page.locator('#log-scale').click();
    for (const metric of ['loss', 'acc', 'learning rate']) await until(page, `.chart[data-metric="${metric}"]`, 'data-y-distr', '3');
    assert.match(await page.locator('.chart[data-metric="acc"] .note').textContent() ?? '', /^3 values ≤ 0/);
    assert.equal(await page.locator('.chart[data-metric="loss"] .note').textContent(), '');
    assert.equal(await attribute(page, '.chart[data-metric="loss"]', 'data-batch-points'), '40');

    await page.locator('#log-scale').click();
    await until(page, '.chart[data-metric="loss"]', 'data-y-distr', '1');
    assert.equal(await page.locator('.chart[data-metric="acc"] .note').textContent(), '');
  });

  it('shades the spans where val_loss rises while loss falls', async () => {
    const { page } = panel;
    // Rises of val_loss while loss falls: at epoch 3 (one epoch alone, not shaded), 6–9 and 11–12; at 13–14 loss rises too.
    const validation = [1.0, 0.8, 0.85, 0.6, 0.5, 0.55, 0.6, 0.65, 0.7, 0.6, 0.65, 0.7, 0.75, 0.8];
    const loss = (epoch: number) => (epoch <= 12 ? 1 / epoch : 0.1 * (epoch - 11));
    await fresh(page, syntheticRun({ epochs: 14, batchesPerEpoch: 4, epoch: (_m, epoch) => ({ loss: loss(epoch), val_loss: validation[epoch - 1]! }) }));
    await until(page, '.chart[data-metric="loss"]', 'data-epoch-points', '14');
    assert.equal(await attribute(page, '.chart[data-metric="loss"]', 'data-overfit'), '5-9,10-12');
    await page.screenshot({ path: join(results, 'panel-overfit.png') });

    // The same run without the late rise: one span.
    await fresh(page, syntheticRun({ epochs: 10, batchesPerEpoch: 4, epoch: (_m, epoch) => ({ loss: loss(epoch), val_loss: validation[epoch - 1]! }) }));
    await until(page, '.chart[data-metric="loss"]', 'data-epoch-points', '10');
    assert.equal(await attribute(page, '.chart[data-metric="loss"]', 'data-overfit'), '5-9');
  });

  it('shows every ensemble member\'s curves in the same charts, the time left across members, and the ensemble accuracy', async () => {
    const { page } = panel;
    const stream = syntheticRun({ epochs: 4, batchesPerEpoch: 5, members: 2, seconds: 1.5, ensemble: { memberAccuracy: [0.8, 0.85], averagedAccuracy: 0.9 } });
    const loss = '.chart[data-metric="loss"]';
    const secondStart = stream.findIndex((e) => e.type === 'started' && e.member === 1);
    const firstEpochs = stream.findIndex((e) => e.type === 'epoch' && e.epoch === 2);

    await fresh(page, stream.slice(0, firstEpochs + 1));
    await until(page, loss, 'data-member-epoch-points', '2');
    // Two of four epochs left in the first member and four in the second, at 1.5 s an epoch.
    assert.equal(await page.locator('#time-left').textContent(), `${(4 - 2 + 4) * 1.5} s`);
    assert.equal(await page.locator('#member').textContent(), '1 of 2');

    await play(page, stream.slice(firstEpochs + 1, secondStart + 1));
    // The second member starts: the first one's points stay.
    await until(page, loss, 'data-member-epoch-points', '4,0');
    assert.equal(await page.locator('#member').textContent(), '2 of 2');

    await play(page, stream.slice(secondStart + 1));
    await until(page, loss, 'data-member-epoch-points', '4,4');
    assert.equal(await attribute(page, loss, 'data-epoch-points'), '8');
    assert.equal(await attribute(page, loss, 'data-batch-points'), String(2 * 4 * 5));
    const legend = await page.locator(`${loss} .legend-item`).allTextContents();
    for (const member of [1, 2]) for (const name of ['loss (batch)', 'loss', 'val_loss']) assert.ok(legend.includes(`member ${member} ${name}`), legend.join(' | '));
    assert.equal(await page.locator('#ensemble-accuracy').textContent(), '90.0%');
    assert.equal(await page.locator('#ensemble').textContent(), 'Ensemble validation accuracy: averaged 90.0% · members 1: 80.0%, 2: 85.0%');
    assert.equal(await page.locator('#status').textContent(), 'finished');
    await page.screenshot({ path: join(results, 'panel-ensemble.png'), fullPage: true });

    // The CSV holds both members' epochs.
    await page.locator('#export-csv').click();
    const csv = (await posted(page, 'export')).at(-1) as Extract<PanelPageMessage, { type: 'export' }>;
    const [header, ...rows] = csv.content.trimEnd().split('\n');
    assert.equal(header!.split(',')[0], 'member');
    assert.deepEqual(rows.map((row) => row.split(',').slice(0, 2).join(',')), ['1,1', '1,2', '1,3', '1,4', '2,1', '2,2', '2,3', '2,4']);
  });

  it('shows every model of a block in the same charts, named by model, with the header on the model training', async () => {
    const { page } = panel;
    const EPOCHS_EACH = 10;
    // Logistic regression stays near ln 2 on XOR; the MLP's loss falls towards 0.
    const logistic = withEvaluation(syntheticRun({
      model: 'XorLogistic', epochs: EPOCHS_EACH, batchesPerEpoch: 4,
      batch: () => ({ loss: 0.693, acc: 0.5 }),
      epoch: (_m, epoch) => ({ loss: 0.693 + 0.001 / epoch, acc: 0.5, val_loss: 0.694 + (epoch === 3 ? -0.01 : 0), val_acc: 0.5 }),
    }));
    const mlp = withEvaluation(syntheticRun({
      model: 'XorMLP', epochs: EPOCHS_EACH, batchesPerEpoch: 4,
      epoch: (_m, epoch) => ({ loss: 0.7 / epoch, acc: 1 - 0.5 / epoch, val_loss: 0.75 / epoch, val_acc: 1 - 0.5 / epoch }),
    }));
    const loss = '.chart[data-metric="loss"]';

    await fresh(page, logistic);
    await until(page, loss, 'data-models', `XorLogistic:${EPOCHS_EACH}`);
    assert.equal(await page.locator('#model').textContent(), 'XorLogistic');
    assert.equal(await page.locator('#status').textContent(), 'finished');
    assert.match(await page.locator('#best').textContent() ?? '', /^3 \(val_loss /);

    // The second model starts: the first one's curves stay, and the run is live again.
    await play(page, mlp.slice(0, 1));
    await until(page, loss, 'data-models', `XorLogistic:${EPOCHS_EACH},XorMLP:0`);
    assert.equal(await page.locator('#model').textContent(), 'XorMLP (model 2)');
    assert.equal(await page.locator('#status').textContent(), 'training');
    assert.equal(await page.locator('#stop').getAttribute('disabled'), null);

    await play(page, mlp.slice(1));
    await until(page, loss, 'data-models', `XorLogistic:${EPOCHS_EACH},XorMLP:${EPOCHS_EACH}`);
    // The point counts are the model shown's; each model's epoch points are in data-models.
    assert.equal(await attribute(page, loss, 'data-epoch-points'), String(EPOCHS_EACH));
    assert.equal(await attribute(page, loss, 'data-batch-points'), String(EPOCHS_EACH * 4));
    assert.equal(await attribute(page, '.chart[data-metric="acc"]', 'data-models'), `XorLogistic:${EPOCHS_EACH},XorMLP:${EPOCHS_EACH}`);
    // The marker is the model shown last: the MLP's lowest val_loss is at its last epoch.
    assert.match(await page.locator('#best').textContent() ?? '', new RegExp(`^${EPOCHS_EACH} \\(val_loss `));
    assert.equal(await page.locator('#model').textContent(), 'XorMLP (model 2)');
    assert.equal(await page.locator('#status').textContent(), 'finished');
    const legend = await page.locator(`${loss} .legend-item`).allTextContents();
    for (const model of ['XorLogistic', 'XorMLP']) for (const name of ['loss (batch)', 'loss', 'val_loss']) assert.ok(legend.includes(`${model} ${name}`), legend.join(' | '));
    assert.equal(legend.length, 6);
    // Each model has a colour of its own.
    const colors = await page.locator(`${loss} .legend-item .swatch`).evaluateAll((swatches) => swatches.map((s) => (s as HTMLElement).style.borderTopColor));
    assert.notEqual(colors[1], colors[4]);
    await page.screenshot({ path: join(results, 'panel-models.png'), fullPage: true });

    await clickTab(page, 'tab-evaluation');
    await page.locator('#evaluation-caption', { hasText: /^XorMLP on the validation data/ }).waitFor();
    await clickTab(page, 'tab-epochs');
    await page.locator('#epochs vscode-data-grid-row[row-type="default"]').nth(2 * EPOCHS_EACH - 1).waitFor();
    const gridModels = await page.locator('#epochs').evaluate((grid) => (grid as HTMLElement & { rowsData: Record<string, string>[] }).rowsData.map((row) => `${row['model']}:${row['epoch']}`));
    assert.deepEqual(gridModels, [...Array.from({ length: EPOCHS_EACH }, (_, i) => `XorLogistic:${i + 1}`), ...Array.from({ length: EPOCHS_EACH }, (_, i) => `XorMLP:${i + 1}`)]);
    await clickTab(page, 'tab-charts');

    await page.locator('#export-csv').click();
    const csv = (await posted(page, 'export')).at(-1) as Extract<PanelPageMessage, { type: 'export' }>;
    const [header, ...rows] = csv.content.trimEnd().split('\n');
    assert.deepEqual(header!.split(',').slice(0, 2), ['model', 'epoch']);
    assert.equal(rows.length, 2 * EPOCHS_EACH);
    assert.deepEqual(rows.map((row) => row.split(',')[0]), [...Array<string>(EPOCHS_EACH).fill('XorLogistic'), ...Array<string>(EPOCHS_EACH).fill('XorMLP')]);
    const mlpLast = rows.at(-1)!.split(',');
    assert.equal(Number(mlpLast[header!.split(',').indexOf('loss')]), 0.7 / EPOCHS_EACH);

    // A reset clears both models.
    await post(page, { type: 'reset', run: { file: 'xor.net' } });
    await page.locator(loss).waitFor({ state: 'detached' });
  });

  it('shows an ensemble inside a block of several models, keyed by model and member', async () => {
    const { page } = panel;
    const stream = [
      ...syntheticRun({ model: 'Single', epochs: 3, batchesPerEpoch: 2 }),
      ...syntheticRun({ model: 'Pair', epochs: 3, batchesPerEpoch: 2, members: 2 }),
    ];
    const loss = '.chart[data-metric="loss"]';
    const secondMember = stream.findIndex((e) => e.type === 'started' && e.model === 'Pair' && e.member === 1);
    await fresh(page, stream.slice(0, secondMember));
    await until(page, loss, 'data-models', 'Single:3,Pair:3');
    // The first member's end is not the block's end while the second is still to come.
    assert.equal(await page.locator('#status').textContent(), 'training');

    await play(page, stream.slice(secondMember));
    await until(page, loss, 'data-member-epoch-points', '3,3,3');
    assert.equal(await attribute(page, loss, 'data-models'), 'Single:3,Pair:6');
    assert.equal(await attribute(page, loss, 'data-epoch-points'), '6');
    assert.equal(await page.locator('#member').textContent(), '2 of 2');
    assert.equal(await page.locator('#model').textContent(), 'Pair (model 2)');
    assert.equal(await page.locator('#status').textContent(), 'finished');
    const legend = await page.locator(`${loss} .legend-item`).allTextContents();
    for (const name of ['Single loss', 'Pair member 1 loss', 'Pair member 2 val_loss']) assert.ok(legend.includes(name), legend.join(' | '));

    await page.locator('#export-csv').click();
    const csv = (await posted(page, 'export')).at(-1) as Extract<PanelPageMessage, { type: 'export' }>;
    const [header, ...rows] = csv.content.trimEnd().split('\n');
    assert.deepEqual(header!.split(',').slice(0, 3), ['model', 'member', 'epoch']);
    assert.deepEqual(rows.map((row) => row.split(',').slice(0, 3).join(',')), ['Single,,1', 'Single,,2', 'Single,,3', 'Pair,1,1', 'Pair,1,2', 'Pair,1,3', 'Pair,2,1', 'Pair,2,2', 'Pair,2,3']);
  });

  it('shows the Data tab: label counts of training and validation, and the sample images', async () => {
    const { page } = panel;
    const classes = ['cat', 'dog', 'fish'];
    const shape = { height: 3, width: 4, channels: 1 as const };
    const samples = Array.from({ length: 6 }, (_, i) => ({ label: i % 3, pixels: Array.from({ length: 12 }, (_, p) => (i * 40 + p * 5) % 256) }));
    const data: DataEvent = { type: 'data', model: 'Pets', labelCounts: { train: [40, 35, 25], validation: [10, 9, 6] }, images: { shape, samples } };
    await fresh(page, [startedEvent({ model: 'Pets', epochs: 3, batchesPerEpoch: 4, classes }), data]);
    await clickTab(page, 'tab-data');

    const rows = page.locator('#label-counts tbody tr');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(await rows.nth(i).locator('th').textContent(), classes[i]);
      assert.equal(await rows.nth(i).locator('td.train').getAttribute('data-count'), String(data.labelCounts!.train[i]));
      assert.equal(await rows.nth(i).locator('td.validation').getAttribute('data-count'), String(data.labelCounts!.validation[i]));
    }
    assert.match(await rows.nth(0).locator('td.train').textContent() ?? '', /^40 · 40\.0%$/);
    const canvases = page.locator('#samples canvas');
    assert.equal(await canvases.count(), samples.length);
    assert.deepEqual(await page.locator('#samples figcaption').allTextContents(), samples.map((s) => classes[s.label]));
    // Pixel (x 2, y 1) of the fifth sample, grey: index 1 · 4 + 2.
    const grey = samples[4]!.pixels[6]!;
    assert.deepEqual(await pixel(page, '#samples canvas', 4, 2, 1), [grey, grey, grey]);
    await page.screenshot({ path: join(results, 'panel-data.png'), fullPage: true });
  });

  it('shows the Evaluation tab: the confusion matrix, each class\'s accuracy, and the worst samples', async () => {
    const { page } = panel;
    const classes = ['cat', 'dog', 'fish'];
    const confusion = [[8, 1, 1], [2, 7, 0], [0, 3, 3]];
    const shape = { height: 2, width: 2, channels: 3 as const };
    const worst = Array.from({ length: 4 }, (_, i) => ({ index: 10 + i, label: i % 3, predicted: (i + 1) % 3, confidence: 0.9 - i / 10, pixels: Array.from({ length: 12 }, (_, p) => (i * 50 + p * 20) % 256) }));
    const evaluation: EvaluationEvent = { type: 'evaluation', model: 'Pets', on: 'validation', classes, confusion, worst, imageShape: shape };
    await clickTab(page, 'tab-evaluation');
    assert.equal(await page.locator('#evaluation-empty').isVisible(), true);
    await play(page, [evaluation, ...syntheticRun({ model: 'Pets', epochs: 1, batchesPerEpoch: 1 }).filter((e) => e.type === 'finished')]);

    const cells = page.locator('#confusion td');
    await cells.nth(8).waitFor();
    assert.deepEqual(await cells.evaluateAll((tds) => tds.map((td) => Number((td as HTMLElement).dataset['count']))), confusion.flat());
    assert.deepEqual(await page.locator('#confusion tbody th').allTextContents(), classes);
    const expected = confusion.map((row, t) => `${((row[t]! / row.reduce((a, b) => a + b, 0)) * 100).toFixed(1)}%`);
    assert.deepEqual(await page.locator('#class-accuracy .accuracy').allTextContents(), expected);
    const right = confusion.reduce((n, row, t) => n + row[t]!, 0);
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    assert.match(await page.locator('#evaluation-caption').textContent() ?? '', new RegExp(`${right} of ${total} right \\(${((right / total) * 100).toFixed(1)}%\\)`));
    assert.equal(await page.locator('#worst figure').count(), worst.length);
    assert.equal(await page.locator('#worst canvas').count(), worst.length);
    assert.equal(await page.locator('#worst figure').first().locator('.predicted').textContent(), classes[worst[0]!.predicted]);
    // Pixel (x 1, y 1) of the second sample, RGB: index 3 · 3.
    assert.deepEqual(await pixel(page, '#worst canvas', 1, 1, 1), worst[1]!.pixels.slice(9, 12));
    await page.screenshot({ path: join(results, 'panel-evaluation.png'), fullPage: true });
  });

  it('overlays earlier runs in the Runs tab, with their settings side by side and links to their folders', async () => {
    const { page } = panel;
    const history = (scale: number, count: number) => Array.from({ length: count }, (_, i) => ({ epoch: i + 1, metrics: { loss: scale / (i + 1), val_loss: (scale * 1.2) / (i + 1) }, learningRate: 0.01, seconds: 1 }));
    const settings = (seed: number, optimizer: string) => ({ file: 'a.net', model: 'Synthetic', written: { optimizer, loss: 'mse' }, resolved: { epochs: 5, batchSize: 32, shuffle: true, seed, ensemble: 1, backend: 'cpu' } });
    const runs: EarlierRun[] = [
      { dir: '/runs/Synthetic/2024-01-01T10-00-00', startedAt: '2024-01-01T10:00:00Z', backend: 'cpu', reason: 'completed', epochs: history(1, 5), settings: settings(1, 'Adam()') },
      { dir: '/runs/Synthetic/2024-01-02T10-00-00', startedAt: '2024-01-02T10:00:00Z', backend: 'wasm', reason: 'early-stopping', epochs: history(0.8, 3), settings: settings(2, 'SGD(0.1)') },
      { dir: '/runs/Synthetic/2024-01-03T10-00-00', startedAt: '2024-01-03T10:00:00Z', backend: 'wasm', epochs: history(0.6, 4) },
    ];
    await clickTab(page, 'tab-runs');
    await fresh(page, syntheticRun({ epochs: 5, batchesPerEpoch: 3 }));
    await post(page, { type: 'runs', runs });

    const rows = page.locator('#runs-table tbody tr');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), runs.length);
    // The earlier runs and this one.
    await page.locator('#runs-chart .legend-item').nth(runs.length).waitFor();
    assert.equal(await attribute(page, '#runs-chart .chart', 'data-metric'), 'runs');
    assert.deepEqual(await page.locator('#runs-chart .legend-item').count(), runs.length + 1);
    const headers = await page.locator('#runs-table thead th').allTextContents();
    for (const name of ['Best val_loss', 'seed', 'optimizer', 'loss']) assert.ok(headers.includes(name), headers.join(' | '));
    const column = (name: string) => rows.evaluateAll((trs, index) => trs.map((tr) => tr.children[index]!.textContent), headers.indexOf(name));
    assert.deepEqual(await column('seed'), ['1', '2', '–']);
    assert.deepEqual(await column('optimizer'), ['Adam()', 'SGD(0.1)', '–']);
    // Each run's lowest val_loss: its last epoch's, as the histories fall.
    assert.deepEqual(await column('Best val_loss'), runs.map((run) => run.epochs.at(-1)!.metrics['val_loss']!.toPrecision(4)));

    await rows.nth(1).locator('a.folder-link').click();
    assert.deepEqual((await posted(page, 'openRunFolder')).at(-1), { type: 'openRunFolder', dir: runs[1]!.dir });
    await page.screenshot({ path: join(results, 'panel-runs.png'), fullPage: true });
    await clickTab(page, 'tab-charts');
  });

  it('shows a failed run\'s message with a link that opens its location', async () => {
    const { page } = panel;
    const file = join(tmpdir(), 'models', 'blobs.net');
    const failed: FailedEvent = { type: 'failed', model: 'Blobs', message: 'Dense expects a rank-2 input, got [28, 28, 1].', file, line: 4, column: 3 };
    await fresh(page, [startedEvent({ model: 'Blobs', epochs: 3, batchesPerEpoch: 2 }), failed]);
    await page.locator('#failure').filter({ visible: true }).waitFor();
    assert.equal(await page.locator('#failure-message').textContent(), failed.message);
    assert.equal(await page.locator('#status').textContent(), 'failed');
    assert.equal(await page.locator('#stop').getAttribute('disabled'), '');
    assert.equal(await page.locator('#failure-location').textContent(), `${file}:4:3`);
    await page.screenshot({ path: join(results, 'panel-failed.png') });
    await page.locator('#failure-location').click();
    assert.deepEqual((await posted(page, 'openLocation')).at(-1), { type: 'openLocation', file: failed.file, line: 4, column: 3 });

    // Without a location there is no link.
    await fresh(page, [{ type: 'failed', message: 'out of memory' }]);
    await page.locator('#failure-message', { hasText: 'out of memory' }).waitFor();
    assert.equal(await page.locator('#failure-location').isVisible(), false);
    await post(page, { type: 'reset' });
    await page.locator('#failure').waitFor({ state: 'hidden' });
  });

  it('shows the trainer\'s warnings above the charts, once each, and hides them on a new run', async () => {
    const { page } = panel;
    // The real trainer's warning of a training set of one class.
    const dir = join(scratch, 'one-class');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'one.csv'), 'x,y,label\n0,0,yes\n0,1,yes\n1,0,yes\n1,1,yes\n');
    const file = join(dir, 'one.net');
    writeFileSync(file, 'model One {\n  input [2]\n  Dense(2, activation=softmax)\n}\ntrain One {\n  data = csv("one.csv", label="label")\n  loss = categorical_crossentropy\n  epochs = 2\n}\n');
    const run = new TrainingProcess({ type: 'start', file, backend: 'cpu', runsDir: join(dir, 'runs') }, join(repoRoot, 'out', 'trainer', 'child.js'));
    const oneClass = (await run.done).events;
    const warnings = oneClass.filter((event) => event.type === 'warning');
    assert.equal(warnings.length, 1, JSON.stringify(oneClass.filter((event) => event.type !== 'batch')));
    // A replay after the live events repeats them: the warning is still shown once.
    await fresh(page, [...oneClass, ...warnings]);
    await page.locator('#warnings').filter({ visible: true }).waitFor();
    assert.deepEqual(await page.locator('#warnings p').allTextContents(), [`Warning: ${warnings[0]!.message}`]);
    assert.match(warnings[0]!.message, /only one class/);
    await page.screenshot({ path: join(results, 'panel-warning.png') });
    // A run without warnings shows none.
    await fresh(page, events);
    await page.locator('#warnings').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#warnings p').count(), 0);
  });

  it('replays 50,000 batch events in one message in one update, drawing a bounded number of rows', async () => {
    const { page } = panel;
    const stream = syntheticRun({ epochs: 50, batchesPerEpoch: 1000 });
    await page.evaluate('window.layerwiseUpdateTimes = []');
    await post(page, { type: 'reset', run: { file: 'long.net' } });
    await post(page, { type: 'events', events: stream });
    await until(page, '.chart[data-metric="loss"]', 'data-batch-points', '50000');
    assert.equal(await attribute(page, '.chart[data-metric="loss"]', 'data-epoch-points'), '50');
    const rows = Number(await attribute(page, '.chart[data-metric="loss"]', 'data-drawn-rows'));
    assert.ok(rows > 0 && rows <= 2048, `drawn rows ${rows}`);
    const times = await page.evaluate('window.layerwiseUpdateTimes') as number[];
    await page.evaluate('delete window.layerwiseUpdateTimes');
    // The bound below means something only over updates that were timed.
    assert.ok(times.length >= 1 && times.every(Number.isFinite), `update times ${JSON.stringify(times)}`);
    // Generous: the machine is shared, and the bound is about per-event DOM work (which would take seconds), not speed.
    assert.ok(Math.max(...times) < 1500, `slowest update ${Math.max(...times).toFixed(0)} ms`);
  });

  it('keeps the shown run and the chart settings in the webview state, and restores the settings after a reload', async () => {
    const run = { file: 'blobs.net', models: ['Blobs'], uri: 'file:///w/blobs.net', trainBlock: 0 };
    const reopened = await openPanel({ initScript: `window.__initialState = ${JSON.stringify({ run, smoothing: 0.3, log: true })};` });
    try {
      const { page } = reopened;
      assert.equal(await page.locator('#smoothing').inputValue(), '0.3');
      assert.equal(await page.locator('#log-scale').evaluate((box) => (box as HTMLElement & { checked: boolean }).checked), true);
      await post(page, { type: 'reset', run });
      await page.locator('#smoothing').fill('0.8');
      await page.waitForFunction(() => (window as unknown as { __state?: { smoothing?: number } }).__state?.smoothing === 0.8);
      const state = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
      assert.deepEqual(state, { run, smoothing: 0.8, log: true });
    } finally {
      await reopened.close();
    }
  });

  it('shows a short run\'s whole length while it trains, and grows a long run\'s axis in round steps', async () => {
    const { page } = panel;
    const loss = '.chart[data-metric="loss"]';
    const show = async (epochs: number, reached: number) => {
      await post(page, { type: 'reset', run: { file: 'long.net', models: ['Long'] } });
      await post(page, { type: 'events', events: syntheticRun({ model: 'Long', epochs, batchesPerEpoch: 2, stopAfter: reached }) });
      await until(page, loss, 'data-epoch-points', String(reached));
      return Number(await attribute(page, loss, 'data-x-max'));
    };
    assert.equal(await show(40, 5), 40);
    assert.equal(await show(1000, 10), 20);
    assert.equal(await show(1000, 30), 50);
    assert.equal(await show(1000, 90), 200);
    assert.equal(await show(120, 110), 120);
  });

  it('posts stop when the Stop button is clicked', async () => {
    const { page } = panel;
    await post(page, { type: 'reset', run: { file: 'blobs.net' } });
    await page.locator('#stop:not([disabled])').click();
    assert.deepEqual(await posted(page, 'stop'), [{ type: 'stop' }]);
    await page.locator('#stop[disabled]').waitFor();
    assert.equal(await page.locator('#status').textContent(), 'stopping');
  });

  it('reports no CSP violation and no console error on a page driven through every view and control, and would report one', async () => {
    // A page of its own, so that what it drives is what this test asserts about.
    const own = await openPanel();
    try {
      const { page } = own;
      const violations = () => page.evaluate('window.__violations') as Promise<string[]>;
      const finished = events.find((e): e is FinishedEvent => e.type === 'finished')!;
      const classes = ['a', 'b', 'c'];
      const pixels = (i: number) => Array.from({ length: 12 }, (_, p) => (i * 40 + p * 5) % 256);
      const data: DataEvent = { type: 'data', model: 'Blobs', labelCounts: { train: [60, 60, 60], validation: [20, 20, 20] }, images: { shape: { height: 2, width: 2, channels: 3 }, samples: [0, 1, 2].map((label) => ({ label, pixels: pixels(label) })) } };
      const evaluation: EvaluationEvent = { type: 'evaluation', model: 'Blobs', on: 'validation', classes, confusion: [[18, 1, 1], [2, 17, 1], [0, 3, 17]], worst: [{ index: 4, label: 0, predicted: 1, confidence: 0.8, pixels: pixels(4) }], imageShape: { height: 2, width: 2, channels: 3 } };
      const history = Array.from({ length: 3 }, (_, i) => ({ epoch: i + 1, metrics: { loss: 1 / (i + 1), val_loss: 1.2 / (i + 1) }, learningRate: 0.01, seconds: 1 }));

      await setTheme(page, DARK);
      await post(page, { type: 'reset', run: { file: 'blobs.net' } });
      // The real run, its data event with images and its evaluation with a sample (blobs have neither).
      const run = events.filter((e) => e.type !== 'data' && e.type !== 'evaluation');
      const end = run.indexOf(finished);
      await play(page, [...run.slice(0, 1), data, ...run.slice(1, end), evaluation, ...run.slice(end)]);
      await post(page, { type: 'summary', text: summary });
      await post(page, { type: 'runs', runs: [{ dir: '/runs/Blobs/1', startedAt: '2024-01-01T10:00:00Z', backend: 'cpu', reason: 'completed', epochs: history }] });
      await page.locator(`.chart[data-metric="loss"][data-epoch-points="${EPOCHS}"]`).waitFor();
      // Without the test flag, as in the extension, a chart carries its name, its axes and the three counts the end-to-end tests read: no checksum, nothing for the browser tests alone.
      const names = await page.locator('#charts .chart').evaluateAll((boxes) => [...new Set(boxes.flatMap((box) => box.getAttributeNames().filter((name) => name.startsWith('data-'))))].sort());
      assert.deepEqual(names, ['data-batch-points', 'data-epoch-points', 'data-metric', 'data-models', 'data-x-max', 'data-y-distr']);

      await page.locator('#smoothing').fill('0.3');
      await page.locator('#log-scale').click();
      await page.locator('.chart[data-metric="loss"][data-y-distr="3"]').waitFor();
      await page.locator('#log-scale').click();
      for (const id of ['export-png', 'export-svg', 'export-csv', 'save-model', 'open-folder']) await page.locator(`#${id}:not([disabled])`).click();
      await page.waitForFunction('window.__posted.filter((m) => m.type === "export").length === 3');
      for (const tab of ['tab-epochs', 'tab-summary', 'tab-data', 'tab-evaluation', 'tab-runs']) await clickTab(page, tab);
      await page.locator('#samples canvas').first().waitFor({ state: 'attached' });
      await page.locator('#worst canvas').first().waitFor({ state: 'attached' });
      await page.locator('#runs-table a.folder-link').click();
      await clickTab(page, 'tab-charts');
      await setTheme(page, HIGH_CONTRAST);
      await setTheme(page, LIGHT);
      await page.locator(`.chart[data-metric="loss"][data-epoch-points="${EPOCHS}"]`).waitFor();
      // A run in progress, stopped from the page; then a failure with a location.
      await fresh(page, syntheticRun({ model: 'Blobs', epochs: 5, batchesPerEpoch: 2, stopAfter: 2 }));
      await page.locator('#stop:not([disabled])').click();
      await fresh(page, [startedEvent({ model: 'Blobs', epochs: 3, batchesPerEpoch: 2 }), { type: 'failed', model: 'Blobs', message: 'bad', file: '/w/blobs.net', line: 2, column: 3 }]);
      await page.locator('#failure-location').click();
      // A frame after the last message, so that everything posted has been drawn.
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
      const types = new Set((await page.evaluate('window.__posted.map((m) => m.type)')) as string[]);
      for (const type of ['ready', 'export', 'saveModel', 'openRunFolder', 'stop', 'openLocation']) assert.ok(types.has(type), `the page posted no ${type}`);

      assert.deepEqual(await violations(), []);
      assert.deepEqual(own.errors, []);

      // The recorder sees a violation when there is one: an inline script without the nonce is refused and reported.
      await page.evaluate(`(() => { const script = document.createElement('script'); script.textContent = 'window.__inlineRan = true'; document.body.append(script); })()`);
      await page.waitForFunction('window.__violations.length > 0');
      assert.match((await violations())[0]!, /^script-src/);
      assert.equal(await page.evaluate('window.__inlineRan'), undefined);
    } finally {
      await own.close();
    }
    // And the shared page, after everything the tests before drove on it.
    assert.deepEqual(await panel.page.evaluate('window.__violations'), []);
    assert.deepEqual(panel.errors, []);
  });
});
