/**
 * The training panel's Layers tab in headless Chromium, under the page's
 * own Content-Security-Policy, fed the events of a real run of two models:
 * the model and layer pickers, the distribution bands drawn for every
 * epoch, the histogram following the epoch slider, the dead-unit fraction
 * of a ReLU layer, in light, dark and high contrast themes (screenshots in
 * test-results/; with LAYERWISE_DOCS_IMAGES=1 the dark one also goes to
 * docs/images/layers.png), and no CSP violation or console error.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { DistributionsEvent, FailedEvent, TrainerEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';
import { repoRoot } from './support';
import { CHROMIUM, DARK, HIGH_CONTRAST, LIGHT, openPanel, post, setTheme, type Panel } from './webviewHost';

const EPOCHS = 6;
const skip = !existsSync(CHROMIUM) && !process.env['CI'] ? `${CHROMIUM} is missing (install Debian's chromium; under CI this test fails instead)` : false;
const results = join(repoRoot, 'test-results');

const NET = `model Narrow {
  input [2]
  Dense(16, activation=relu)
  Dense(3, activation=softmax)
}

model Deep {
  input [2]
  Dense(32, activation=relu, name="hidden1")
  Dense(16, activation=relu, name="hidden2")
  Dense(3, activation=softmax, name="out")
}

train Narrow, Deep {
  data = blobs(samples=400, centers=3, std=1.5)
  validation = 0.25
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.05)
  batch_size = 32
  epochs = ${EPOCHS}
  seed = 11
}
`;

async function clickTab(page: Page, id: string): Promise<void> {
  await page.locator(`#${id}`).click();
  await page.locator(`#${id}[aria-selected="true"]`).waitFor();
}

/** How many of a canvas's pixels differ from the page's background: what was drawn on it. */
const drawnPixels = (page: Page, selector: string): Promise<number> =>
  page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(selector)});
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
    return drawn;
  })()`) as Promise<number>;

async function choose(page: Page, selector: string, value: string): Promise<void> {
  await page.locator(selector).selectOption(value);
}

async function slideTo(page: Page, epoch: number): Promise<void> {
  await page.evaluate(`(() => {
    const slider = document.getElementById('layers-epoch');
    slider.value = '${epoch}';
    slider.dispatchEvent(new Event('input'));
  })()`);
}

describe('the Layers tab in Chromium', { skip }, () => {
  let events: TrainerEvent[];
  let panel: Panel;
  const scratch = mkdtempSync(join(tmpdir(), 'layerwise-layers-'));
  const distributions = (model: string) => events.filter((e): e is DistributionsEvent => e.type === 'distributions' && e.model === model);

  before(async () => {
    const file = join(scratch, 'blobs.net');
    writeFileSync(file, NET);
    const run = new TrainingProcess({ type: 'start', file, runsDir: join(scratch, 'runs') }, join(repoRoot, 'out', 'trainer', 'child.js'));
    events = (await run.done).events;
    assert.deepEqual(events.filter((e): e is FailedEvent => e.type === 'failed'), []);
    panel = await openPanel({ testHooks: true });
    mkdirSync(results, { recursive: true });
  });
  after(async () => {
    await panel?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('picks a model and a layer, draws the bands of every epoch, and the histogram and dead units of the chosen epoch', async () => {
    const { page } = panel;
    await setTheme(page, LIGHT);
    await post(page, { type: 'reset', run: { file: 'blobs.net' } });
    for (let i = 0; i < events.length; i += 25) await post(page, { type: 'events', events: events.slice(i, i + 25) });
    await clickTab(page, 'tab-layers');
    await page.locator('#layers').filter({ visible: true }).waitFor();

    // Two models: the picker offers both, and shows the one trained last.
    assert.deepEqual(await page.locator('#layers-member option').allTextContents(), ['Narrow', 'Deep']);
    assert.ok(await page.locator('#layers-member').isVisible());
    assert.deepEqual(await page.locator('#layers-layer option').allTextContents(), ['hidden1 (Dense)', 'hidden2 (Dense)', 'out (Dense)']);
    assert.equal(await page.locator('#layers-layer').inputValue(), 'hidden1');
    assert.deepEqual(panel.errors, []);
    assert.deepEqual(await page.locator('.layers-series-row').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset['series'])), ['kernel', 'bias', 'activations']);
    for (const series of ['kernel', 'bias', 'activations']) {
      assert.equal(await page.locator(`[data-series="${series}"] canvas.bands`).getAttribute('data-epochs'), String(EPOCHS));
      assert.ok(await drawnPixels(page, `[data-series="${series}"] canvas.bands`) > 1000, `${series} bands drawn`);
      assert.ok(await drawnPixels(page, `[data-series="${series}"] canvas.histogram`) > 100, `${series} histogram drawn`);
    }
    const deep = distributions('Deep');
    assert.equal(deep.length, EPOCHS);
    const counts = (epoch: number, layer: string, variable: string) => deep[epoch - 1]!.layers.find((l) => l.name === layer)!.variables.find((v) => v.name === variable)!.histogram.counts.join(',');
    // The latest epoch first.
    assert.equal(await page.locator('#layers-epoch-value').textContent(), `${EPOCHS} of ${EPOCHS}`);
    assert.equal(await page.locator('[data-series="kernel"] canvas.histogram').getAttribute('data-counts'), counts(EPOCHS, 'hidden1', 'kernel'));

    // The histogram follows the slider.
    await slideTo(page, 2);
    await page.locator('[data-series="kernel"] canvas.histogram[data-epoch="2"]').waitFor();
    assert.equal(await page.locator('[data-series="kernel"] canvas.histogram').getAttribute('data-counts'), counts(2, 'hidden1', 'kernel'));
    assert.equal(await page.locator('#layers-epoch-value').textContent(), `2 of ${EPOCHS}`);
    assert.notEqual(counts(2, 'hidden1', 'kernel'), counts(EPOCHS, 'hidden1', 'kernel'));

    // A ReLU layer's dead units at the chosen epoch; none shown for the softmax layer.
    const dead = deep[1]!.layers.find((l) => l.name === 'hidden1')!.deadFraction!;
    assert.equal(typeof dead, 'number');
    assert.ok(await page.locator('#layers-dead').isVisible());
    assert.equal(await page.locator('#layers-dead').getAttribute('data-dead-fraction'), String(dead));
    assert.match(await page.locator('#layers-dead h4').textContent() ?? '', new RegExp(`${(dead * 100).toFixed(1)}% at epoch 2$`));
    assert.ok(await drawnPixels(page, '#layers-dead canvas') > 100);
    await page.screenshot({ path: join(results, 'layers-light.png'), fullPage: true });

    await choose(page, '#layers-layer', 'out');
    await page.locator('[data-series="kernel"] canvas.histogram[data-counts="' + counts(2, 'out', 'kernel') + '"]').waitFor();
    assert.equal(await page.locator('#layers-dead').isVisible(), false);

    // The other model: its own layers, the choice of layer falling back to its first.
    await choose(page, '#layers-member', 'Narrow#0');
    await page.locator('#layers-layer option').first().filter({ hasText: 'dense (Dense)' }).waitFor({ state: 'attached' });
    assert.deepEqual(await page.locator('#layers-layer option').allTextContents(), ['dense (Dense)', 'dense_1 (Dense)']);
    const narrow = distributions('Narrow');
    const narrowCounts = narrow[1]!.layers[0]!.variables[0]!.histogram.counts.join(',');
    assert.equal(await page.locator('[data-series="kernel"] canvas.histogram').getAttribute('data-counts'), narrowCounts);

    // Back to the deep model's first layer, at the latest epoch, for the screenshots of each theme.
    await choose(page, '#layers-member', 'Deep#0');
    await choose(page, '#layers-layer', 'hidden1');
    await slideTo(page, EPOCHS);
    await page.locator(`[data-series="kernel"] canvas.histogram[data-epoch="${EPOCHS}"]`).waitFor();
    await setTheme(page, DARK);
    // The theme's colours are read again: the bands are drawn in the dark theme's blue.
    await page.waitForFunction(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-series="kernel"] canvas.bands');
      return canvas !== null && canvas.dataset['epochs'] === '6' && document.body.className === 'vscode-dark';
    });
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(results, 'layers-dark.png'), fullPage: true });
    if (process.env['LAYERWISE_DOCS_IMAGES'] === '1') copyFileSync(join(results, 'layers-dark.png'), join(repoRoot, 'docs', 'images', 'layers.png'));
    await setTheme(page, HIGH_CONTRAST);
    await page.waitForTimeout(100);
    assert.equal(await page.locator('.layer-plots canvas').first().evaluate((canvas) => getComputedStyle(canvas).outlineColor), 'rgb(111, 195, 223)');
    await page.screenshot({ path: join(results, 'layers-high-contrast.png'), fullPage: true });

    assert.deepEqual(await page.evaluate('window.__violations'), []);
    assert.deepEqual(panel.errors, []);
  });
});
