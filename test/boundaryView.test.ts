/**
 * The panel's Boundary tab in headless Chromium, under the page's own
 * Content-Security-Policy, fed the events of a real run of a block of two
 * two-feature models: hidden without grids, both models side by side, the
 * slider choosing the epoch shown and following the run at its end, the
 * heat map's colour told by class, screenshots of the light, dark and high
 * contrast themes in test-results/ (and, with LAYERWISE_DOCS_IMAGES=1, the
 * README's docs/images/boundary.png), and no CSP violation or console error.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { BoundaryEvent, FinishedEvent, TrainerEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';
import { moonsPair, repoRoot } from './support';
import { CHROMIUM, DARK, HIGH_CONTRAST, LIGHT, openPanel, post, setTheme, type Panel } from './webviewHost';

const EPOCHS = 30;
const skip = !existsSync(CHROMIUM) && !process.env['CI'] ? `${CHROMIUM} is missing (install Debian's chromium; under CI this test fails instead)` : false;
const results = join(repoRoot, 'test-results');

const NET = moonsPair(EPOCHS);

async function play(page: Page, events: TrainerEvent[], size = 25): Promise<void> {
  for (let i = 0; i < events.length; i += size) await post(page, { type: 'events', events: events.slice(i, i + size) });
}

const figure = (page: Page, model: string) => page.locator(`#boundary-views .boundary-model[data-model="${model}"]`);

/** Waits until the model's figure shows the epoch. */
async function showsEpoch(page: Page, model: string, epoch: number): Promise<void> {
  await figure(page, model).and(page.locator(`[data-epoch="${epoch}"]`)).waitFor({ timeout: 10_000 }).catch(async () => {
    assert.fail(`${model} shows epoch ${await figure(page, model).getAttribute('data-epoch')}, expected ${epoch}`);
  });
}

/** Moves the slider to position `index`, as a drag does. */
const slide = (page: Page, index: number): Promise<void> =>
  page.locator('#boundary-epoch').evaluate((input: HTMLInputElement, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, index);

/** The canvas pixel at the centre of grid cell (column, row), as [r, g, b]. */
const cellPixel = (page: Page, model: string, grid: BoundaryEvent, column: number, row: number): Promise<number[]> =>
  figure(page, model).locator('canvas').evaluate((canvas: HTMLCanvasElement, [c, r, columns, rows]) => {
    const x = Math.floor(((c! + 0.5) * canvas.width) / columns!);
    const y = Math.floor(((r! + 0.5) * canvas.height) / rows!);
    return Array.from(canvas.getContext('2d')!.getImageData(x, y, 1, 1).data.slice(0, 3));
  }, [column, row, grid.columns, grid.rows]);

const decode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

describe('the Boundary tab in Chromium', { skip }, () => {
  let events: TrainerEvent[];
  let panel: Panel;
  const scratch = mkdtempSync(join(tmpdir(), 'layerwise-boundary-view-'));

  before(async () => {
    const file = join(scratch, 'moons.net');
    writeFileSync(file, NET);
    const run = new TrainingProcess({ type: 'start', file, runsDir: join(scratch, 'runs') }, join(repoRoot, 'out', 'trainer', 'child.js'));
    events = (await run.done).events;
    assert.equal(events.filter((e): e is FinishedEvent => e.type === 'finished').length, 2, JSON.stringify(events.filter((e) => e.type === 'failed')));
    panel = await openPanel({ testHooks: true });
    mkdirSync(results, { recursive: true });
  });
  after(async () => {
    await panel?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is hidden for a run without grids', async () => {
    const { page } = panel;
    await post(page, { type: 'reset', run: { file: 'moons.net' } });
    await play(page, events.filter((e) => e.type !== 'boundary'));
    await page.locator('.chart[data-metric="loss"]').waitFor();
    assert.equal(await page.locator('#tab-boundary').isVisible(), false);
  });

  it('draws both models side by side, follows the run at the end of the slider, and shows the epoch chosen', async () => {
    const { page } = panel;
    await setTheme(page, LIGHT);
    await post(page, { type: 'reset', run: { file: 'moons.net' } });
    // The run up to the MLP's tenth grid, then the rest.
    const cut = events.findIndex((e) => e.type === 'boundary' && e.model === 'MLP' && e.epoch === 10) + 1;
    await play(page, events.slice(0, cut));
    await page.locator('#tab-boundary').filter({ visible: true }).waitFor();
    await page.locator('#tab-boundary').click();
    await showsEpoch(page, 'MLP', 10);
    await showsEpoch(page, 'Logistic', EPOCHS);
    assert.equal(await page.locator('#boundary-views .boundary-model').count(), 2);
    // Side by side, the logistic model first, as the block names them.
    const [left, right] = await Promise.all(['Logistic', 'MLP'].map((model) => figure(page, model).boundingBox()));
    assert.ok(left && right && left.x < right.x && Math.abs(left.y - right.y) < 2, JSON.stringify([left, right]));
    assert.equal(await figure(page, 'Logistic').getAttribute('data-train-points'), '150');
    assert.equal(await figure(page, 'Logistic').getAttribute('data-validation-points'), '50');

    // At the slider's end, the view follows the grids that arrive.
    await play(page, events.slice(cut));
    await showsEpoch(page, 'MLP', EPOCHS);
    assert.match(await page.locator('#boundary-epoch-label').textContent() ?? '', new RegExp(`^epoch ${EPOCHS} \\(latest\\)`));

    await slide(page, 0);
    await showsEpoch(page, 'Logistic', 1);
    await showsEpoch(page, 'MLP', 1);
    assert.equal(await page.locator('#boundary-epoch-label').textContent(), 'epoch 1');
    await slide(page, 4);
    await showsEpoch(page, 'MLP', 5);
    await slide(page, EPOCHS - 1);
    await showsEpoch(page, 'MLP', EPOCHS);
    await page.screenshot({ path: join(results, 'boundary-light.png'), fullPage: true });
  });

  it('colours the heat map by class: the pixels of cells the model puts in different classes differ', async () => {
    const { page } = panel;
    for (const model of ['Logistic', 'MLP']) {
      const grid = events.filter((e): e is BoundaryEvent => e.type === 'boundary' && e.model === model).at(-1)!;
      const predicted = decode(grid.predicted);
      const probability = decode(grid.probability!);
      // Cells of the margin (the outer two rings), where no point is drawn: the surest of each class.
      const margin: { cell: [number, number]; sure: number }[][] = [[], []];
      for (let r = 0; r < grid.rows; r++) {
        for (let c = 0; c < grid.columns; c++) {
          if (r > 1 && c > 1 && r < grid.rows - 2 && c < grid.columns - 2) continue;
          const i = r * grid.columns + c;
          margin[predicted[i]!]!.push({ cell: [c, r], sure: Math.abs(probability[i]! - 127.5) });
        }
      }
      assert.ok(margin[0]!.length && margin[1]!.length, `${model}: both classes on the box's edge`);
      const [zero, one] = margin.map((cells) => cells.sort((a, b) => b.sure - a.sure)[0]!.cell);
      const [a, b] = await Promise.all([cellPixel(page, model, grid, ...zero!), cellPixel(page, model, grid, ...one!)]);
      assert.notDeepEqual(a, b, `${model}: ${a} at class 0, ${b} at class 1`);
    }
  });

  it('keeps the models side by side in a narrow panel, each drawn smaller', async () => {
    const { page } = panel;
    const wide = await figure(page, 'MLP').locator('canvas').boundingBox();
    await page.setViewportSize({ width: 520, height: 900 });
    await page.waitForFunction((width) => {
      const canvas = document.querySelector('#boundary-views .boundary-model[data-model="MLP"] canvas');
      return canvas !== null && canvas.getBoundingClientRect().width < width;
    }, wide!.width);
    const [left, right] = await Promise.all(['Logistic', 'MLP'].map((model) => figure(page, model).boundingBox()));
    assert.ok(left && right && left.x < right.x && Math.abs(left.y - right.y) < 2, JSON.stringify([left, right]));
    assert.ok(right.x + right.width <= 520, JSON.stringify(right));
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.waitForFunction((width) => document.querySelector('#boundary-views .boundary-model[data-model="MLP"] canvas')?.getBoundingClientRect().width === width, wide!.width);
  });

  it('draws in the dark and high contrast themes, with no CSP violation and no console error', async () => {
    const { page } = panel;
    // Taken before the theme changes: the page draws the figures anew on the next frame.
    const before = await figure(page, 'MLP').elementHandle();
    await setTheme(page, DARK);
    await page.waitForFunction((old) => document.querySelector('#boundary-views .boundary-model[data-model="MLP"]') !== old, before);
    await page.screenshot({ path: join(results, 'boundary-dark.png'), fullPage: true });
    if (process.env['LAYERWISE_DOCS_IMAGES'] === '1') await page.locator('#boundary-tab').screenshot({ path: join(repoRoot, 'docs', 'images', 'boundary.png') });
    const dark = await figure(page, 'MLP').elementHandle();
    await setTheme(page, HIGH_CONTRAST);
    await page.waitForFunction((old) => document.querySelector('#boundary-views .boundary-model[data-model="MLP"]') !== old, dark);
    await page.screenshot({ path: join(results, 'boundary-high-contrast.png'), fullPage: true });
    assert.deepEqual(await page.evaluate('window.__violations'), []);
    assert.deepEqual(panel.errors, []);
  });
});
