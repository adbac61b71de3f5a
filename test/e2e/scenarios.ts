/**
 * What a user does with Layerwise in VS Code, and what they must see. Each
 * scenario takes a running workbench, so the same scenarios run on every
 * VS Code version the harness installs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { repoRoot } from '../support';
import { log, step, type Session } from './harness';
import { until, Workbench } from './workbench';

export interface ScenarioContext {
  readonly wb: Workbench;
  readonly session: Session;
  /** A named step of this scenario, with a time limit and a screenshot on failure. */
  step<T>(name: string, timeoutMs: number, body: () => Promise<T>): Promise<T>;
}

export interface Scenario {
  readonly name: string;
  readonly timeoutMs: number;
  /** Why the scenario does not run yet; false when it runs. */
  readonly skip: string | false;
  /** Runs on what the previous scenario left open, instead of a workbench with no editor open. */
  readonly continuesPrevious?: boolean;
  run(context: ScenarioContext): Promise<void>;
}

export function contextFor(wb: Workbench, session: Session, scenario: string): ScenarioContext {
  return { wb, session, step: (name, timeoutMs, body) => step(session, scenario, name, timeoutMs, body) };
}

/** The 1-based number of the first line that contains `text`. */
function lineOf(lines: string[], text: string): number {
  const index = lines.findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `no line contains ${JSON.stringify(text)}:\n${lines.join('\n')}`);
  return index + 1;
}

/** The file's lines, without the empty one after its final newline, as the editor numbers them. */
const fileLines = (path: string): string[] => readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');

const SPARK = /[▁▂▃▄▅▆▇█]{3,}/;

// ---------------------------------------------------------------- editing

const signMnist: Scenario = {
  name: 'sign_mnist.net: no error squiggles; hover, inlay hint and code lens show the counts',
  timeoutMs: 90_000,
  skip: false,
  async run({ wb, step, session }) {
    const lines = fileLines(join(session.workspace, 'sign_mnist.net'));
    const firstDense = lineOf(lines, 'Dense(1024');

    await step('open sign_mnist.net', 30_000, async () => {
      await wb.openFile('sign_mnist.net');
      // The model's lens appears once the language server has analysed the file.
      await wb.waitForCodeLens('params');
    });
    await step('no error squiggles', 20_000, async () => {
      // The only diagnostics expected: a warning for each data file the scratch workspace lacks. Those
      // warnings are what shows that the server's diagnostics for the file have arrived, so that the
      // absence of errors means something: without them there would be nothing to wait for.
      const missing = lines.flatMap((text, i) => {
        const csv = /csv\("([^"]+)"/.exec(text);
        return csv && !existsSync(join(session.workspace, csv[1]!)) ? [i + 1] : [];
      });
      assert.ok(missing.length > 0, 'the scratch workspace holds sign_mnist.net\'s data files: no warning would show that its diagnostics arrived');
      const problems = await wb.waitForProblems('sign_mnist.net', (found) => found.length >= missing.length, `${missing.length} data-file warnings`);
      assert.deepEqual(problems.map((p) => `${p.severity} ${p.line}`), missing.map((line) => `warning ${line}`));
      // The editor draws the same diagnostics: once its warnings are drawn, no error squiggle is still to come.
      await until(`${missing.length} warning squiggles`, async () => (await wb.squiggles('warning')) >= missing.length ? true : undefined, 10_000);
      assert.equal(await wb.squiggles('error'), 0);
      await wb.closePanel();
    });
    await step('the code lens over the model shows 1,466,136', 10_000, async () => {
      const lenses = await wb.codeLenses();
      assert.match(lenses[0] ?? '', /^1,466,136 params/, `code lenses: ${JSON.stringify(lenses)}`);
    });
    await step('the inlay hint of the first Dense shows (None, 1024)', 10_000, async () => {
      const hints = await until('inlay hints', async () => {
        const found = await wb.inlayHints();
        return found.has(firstDense) ? found : undefined;
      });
      assert.match(hints.get(firstDense)!, /^\(None, 1024\)/, `hints: ${JSON.stringify([...hints])}`);
    });
    await step('hovering the first Dense shows 803,840', 15_000, async () => {
      const hover = await wb.hover('Dense', 1);
      assert.match(hover, /784 × 1024 \+ 1024 = 803,840/, hover);
      assert.match(hover, /output \(None, 1024\)/, hover);
    });
    await step('screenshots', 15_000, async () => {
      await wb.screenshot('editor-hover-inlay-hints');
      if (process.env['LAYERWISE_E2E_DOCS_IMAGES'] === '1') await editorImage(wb, join(repoRoot, 'docs', 'images', 'editor.png'));
      await wb.dismissHover();
    });
  },
};

/** The README's picture of the editor: the editor part only, down to the end of the file. */
async function editorImage(wb: Workbench, path: string): Promise<void> {
  const box = await wb.page.locator('.part.editor').boundingBox();
  assert.ok(box, 'the editor part is not on screen');
  const last = await wb.page.locator('.editor-group-container.active .monaco-editor .view-lines > .view-line').evaluateAll((nodes) =>
    Math.max(...nodes.map((node) => node.getBoundingClientRect().bottom)));
  mkdirSync(join(path, '..'), { recursive: true });
  await wb.page.screenshot({ path, clip: { x: box.x, y: box.y, width: Math.min(box.width, 900), height: Math.min(box.height, last - box.y + 24) } });
  log(`wrote ${path}`);
}

/** The errors a file marks with `# error: message` comments, as (line, message). */
function markedErrors(path: string): { line: number; message: string }[] {
  return fileLines(path).flatMap((line, i) => {
    const marked = /#\s*error:\s*(.+?)\s*$/.exec(line);
    return marked ? [{ line: i + 1, message: marked[1]! }] : [];
  });
}

const shapeErrors: Scenario = {
  name: 'shape_errors.net: the Problems panel lists exactly its marked errors; the softmax quick fix removes one',
  timeoutMs: 120_000,
  skip: false,
  async run({ wb, step, session }) {
    const file = 'shape_errors.net';
    const marked = markedErrors(join(session.workspace, file));
    assert.ok(marked.length >= 3, `the example marks ${marked.length} errors`);
    const typo = marked.find((m) => /did you mean 'softmax'/.test(m.message));
    assert.ok(typo, 'the example marks no "did you mean \'softmax\'" error');
    const errorsOf = (found: { severity: string; line: number; message: string }[]): { line: number; message: string }[] =>
      found.filter((p) => p.severity === 'error').map(({ line, message }) => ({ line, message })).sort((a, b) => a.line - b.line);

    await step('open shape_errors.net', 30_000, () => wb.openFile(file));
    await step('the Problems panel lists exactly the marked errors', 30_000, async () => {
      const found = await wb.waitForProblems(file, (problems) => errorsOf(problems).length >= marked.length, `${marked.length} errors for ${file}`);
      assert.deepEqual(errorsOf(found), marked);
      assert.equal(await wb.squiggles('error'), marked.length);
      await wb.screenshot('shape-errors-problems');
    });
    await step('apply "Change to \'softmax\'"', 20_000, async () => {
      const text = fileLines(join(session.workspace, file))[typo.line - 1]!;
      await wb.goTo(typo.line, text.indexOf('softmaxx') + 2);
      const fixes = await wb.quickFixes();
      const fix = fixes.find((title) => /'softmax'/.test(title));
      assert.ok(fix, `quick fixes offered: ${JSON.stringify(fixes)}`);
      await wb.applyQuickFix(fix);
    });
    await step('the error goes away and the rest stay', 30_000, async () => {
      const rest = marked.filter((m) => m !== typo);
      const found = await wb.waitForProblems(file, (problems) => errorsOf(problems).length === rest.length, `${rest.length} errors for ${file}`);
      assert.deepEqual(errorsOf(found), rest);
      const lines = await wb.editorLines();
      assert.match(lines[typo.line - 1]!, /activation=softmax\)/);
      assert.equal(await wb.squiggles('error'), rest.length);
      await wb.screenshot('shape-errors-after-quick-fix');
    });
  },
};

const completionAndRename: Scenario = {
  name: 'residual.net: completion after "-> D" offers Dense; renaming a tensor changes every use',
  timeoutMs: 120_000,
  skip: false,
  async run({ wb, step, session }) {
    const file = 'residual.net';
    const path = join(session.workspace, file);
    const original = fileLines(path);
    await step('open residual.net', 30_000, async () => {
      await wb.openFile(file);
      await wb.waitForCodeLens('params');
    });
    await step('completion after "-> D" offers Dense', 30_000, async () => {
      const after = lineOf(original, 'both = ');
      await wb.goTo(after, original[after - 1]!.length + 1);
      await wb.page.keyboard.press('End');
      await wb.page.keyboard.press('Enter');
      await wb.type('x = both -> D');
      const labels = await wb.completions();
      assert.ok(labels.includes('Dense'), `completions: ${JSON.stringify(labels)}`);
      assert.ok(!labels.includes('model') && !labels.includes('both'), `after "->" only layers are offered: ${JSON.stringify(labels)}`);
      await wb.screenshot('residual-completion');
      await wb.dismissSuggestions();
      await wb.runCommand('File: Revert File');
      await until('the file reverted', async () => JSON.stringify(await wb.editorLines()) === JSON.stringify([...original, '']) ? true : undefined);
    });
    // Renaming `a` must change its definition and both uses, and no "a" in a comment.
    const renamed = original.map((line) => {
      const hash = line.indexOf('#');
      const code = hash < 0 ? line : line.slice(0, hash);
      return code.replace(/\ba\b/g, 'trunk') + (hash < 0 ? '' : line.slice(hash));
    });
    assert.equal(renamed.join('\n').split('trunk').length - 1, 3, 'the example defines `a` and uses it twice');
    await step('rename `a` to `trunk` with F2', 30_000, async () => {
      const definition = lineOf(original, 'a    = features');
      await wb.goTo(definition, 3);
      await wb.rename('trunk');
      await until('every use renamed', async () => JSON.stringify(await wb.editorLines()) === JSON.stringify([...renamed, '']) ? true : undefined);
      await wb.save();
      assert.equal(readFileSync(path, 'utf8'), renamed.join('\n') + '\n');
      await wb.waitForCodeLens('27,298 params');
      assert.equal(await wb.squiggles('error'), 0);
      await wb.screenshot('residual-renamed');
    });
  },
};

const summary: Scenario = {
  name: '"Layerwise: Show Model Summary" opens the Keras-style table',
  timeoutMs: 60_000,
  skip: false,
  async run({ wb, step, session }) {
    const expected = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'summary', join(session.workspace, 'sign_mnist.net')], { encoding: 'utf8' });
    assert.equal(expected.status, 0, expected.stderr);
    await step('open sign_mnist.net', 30_000, async () => {
      await wb.openFile('sign_mnist.net');
      await wb.waitForCodeLens('params');
    });
    await step('run "Layerwise: Show Model Summary"', 10_000, () => wb.runCommand('Layerwise: Show Model Summary'));
    await step('the summary editor shows the table', 20_000, async () => {
      const lines = await until('the summary editor', async () => {
        const shown = await wb.editorLinesOf('sign_mnist summary');
        return shown.some((line) => line.startsWith('Total params')) ? shown : undefined;
      });
      const table = lines.map((line) => line.trimEnd()).join('\n').trim();
      assert.match(table, /^Model: "SignMNIST"/);
      assert.match(table, /^ Layer \(type\) +Output Shape +Param #$/m);
      assert.match(table, /^ dense \(Dense\) +\(None, 1024\) +803,840$/m);
      assert.match(table, /^Total params: 1,466,136 \(5\.59 MB\)$/m);
      assert.equal(table, expected.stdout.split('\n').map((line) => line.trimEnd()).join('\n').trim());
      await wb.screenshot('summary');
    });
  },
};

const modelGraph: Scenario = {
  name: 'residual.net: the graph view shows both inputs and the merges with their shapes; a click on a layer moves the cursor to it',
  timeoutMs: 90_000,
  skip: false,
  async run({ wb, step, session }) {
    const lines = fileLines(join(session.workspace, 'residual.net'));
    await step('open residual.net', 30_000, async () => {
      await wb.openFile('residual.net');
      await wb.waitForCodeLens('27,298 params');
    });
    await step('run "Layerwise: Show Model Graph"', 10_000, () => wb.runCommand('Layerwise: Show Model Graph'));
    const frame = await step('the graph view draws the model', 30_000, () => wb.webviewFrame('#graph[data-state="drawn"] g.node', 30_000));
    await step('both inputs and the merge nodes are there with their shapes', 10_000, async () => {
      const nodes = await frame.evaluate(() => [...document.querySelectorAll('g.node')].map((node) => [node.getAttribute('data-type'), node.getAttribute('data-name'), node.getAttribute('data-shape')]));
      assert.deepEqual(nodes.filter(([type]) => type === 'Input'), [['Input', 'features', '(None, 64)'], ['Input', 'extra', '(None, 8)']]);
      assert.deepEqual(nodes.filter(([type]) => type === 'Add' || type === 'Concatenate'), [['Add', 'add', '(None, 128)'], ['Concatenate', 'concatenate', '(None, 136)']]);
      assert.equal(nodes.length, 8);
      assert.equal(await frame.locator('path.edge').count(), 8);
      await wb.screenshot('graph');
    });
    await step('a click on the Concatenate node puts the cursor on its call', 15_000, async () => {
      const line = lineOf(lines, 'Concatenate()');
      const column = lines[line - 1]!.indexOf('Concatenate()') + 1;
      await frame.locator('g.node[data-name="concatenate"]').click();
      await until(`the cursor at ${line}:${column}`, async () => (await wb.cursor()) === `${line}:${column}` ? true : undefined, 10_000);
    });
    await step('moving the cursor highlights the layer under it', 15_000, async () => {
      const line = lineOf(lines, 'Add()');
      await wb.goTo(line, lines[line - 1]!.indexOf('Add()') + 2);
      await frame.locator('g.node.highlighted[data-name="add"]').waitFor({ timeout: 10_000 });
    });
  },
};

// ---------------------------------------------------------------- training

/** The training panel's page: the frame whose document has `#status`. */
const panelFrame = (wb: Workbench): Promise<Frame> => wb.webviewFrame('#status', 30_000);

const statusOf = (frame: Frame): Promise<string> => frame.evaluate(() => document.querySelector('#status')?.textContent?.trim() ?? '');

async function lossPoints(frame: Frame): Promise<{ batch: number; epoch: number }> {
  return frame.evaluate(() => {
    const chart = document.querySelector('.chart[data-metric="loss"]');
    return { batch: Number(chart?.getAttribute('data-batch-points') ?? 0), epoch: Number(chart?.getAttribute('data-epoch-points') ?? 0) };
  });
}

async function waitForStatus(frame: Frame, wanted: RegExp, timeoutMs: number): Promise<string> {
  let last = '';
  try {
    return await until(`the panel's status to match ${wanted}`, async () => {
      last = await statusOf(frame);
      return wanted.test(last) ? last : undefined;
    }, timeoutMs, 250);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : error}; it reads ${JSON.stringify(last)}`, { cause: error });
  }
}

/** The last row of the panel's Epochs table, as column name to cell text. */
async function lastEpochRow(frame: Frame): Promise<Record<string, string>> {
  await frame.locator('#tab-epochs').click();
  return until('the Epochs table', () => frame.evaluate(() => {
    const grid = document.querySelector('#epochs');
    const rows = [...(grid?.querySelectorAll('vscode-data-grid-row') ?? [])];
    if (rows.length < 2) return undefined;
    const cells = (row: Element): string[] => [...row.querySelectorAll('vscode-data-grid-cell')].map((cell) => cell.textContent?.trim() ?? '');
    const header = cells(rows[0]!);
    const last = cells(rows[rows.length - 1]!);
    // The grid fills its cells after it adds its rows.
    if (header.length === 0 || last.length < header.length || last.some((cell) => cell === '')) return undefined;
    return Object.fromEntries(header.map((name, i) => [name, last[i]!]));
  }));
}

/** The train block of xor.net with many more epochs (minutes on wasm), so that it is still running when stopped. */
const LONG_EPOCHS = 200_000;
const LONG_XOR = `model LongXor {
  input [2]
  Dense(8, activation=relu)
  Dense(1, activation=sigmoid)
}

train LongXor {
  data       = xor()
  loss       = binary_crossentropy
  optimizer  = SGD(learning_rate=0.1)
  metrics    = [accuracy]
  epochs     = ${LONG_EPOCHS}
  batch_size = 4
  seed       = 1
}
`;

/**
 * Loads the window afresh. VS Code 1.100's web workbench can leave a new
 * webview blank for good when it is created after another webview of the
 * same page was closed (its host waits for a service-worker change that never
 * comes; newer VS Code fixed it). The first webview after a load always
 * renders, so a scenario that needs a new panel starts in a fresh window.
 */
async function freshWindow(wb: Workbench): Promise<void> {
  await wb.reload();
}

/**
 * The Boundary tab's figures as the page marks them: each model's name and
 * the epoch it shows, once every model of the block is drawn at `epoch`.
 */
async function boundaryModels(frame: Frame, models: string[], epoch: number): Promise<string[]> {
  await frame.locator('#tab-boundary').click();
  const shown = (): Promise<string[]> => frame.locator('#boundary-views .boundary-model').evaluateAll((figures) => figures.map((f) => `${(f as HTMLElement).dataset['model']}@${(f as HTMLElement).dataset['epoch']}`));
  const wanted = models.map((name) => `${name}@${epoch}`);
  return until('every model\'s decision boundary', async () => {
    const now = await shown();
    return now.join(',') === wanted.join(',') ? now : undefined;
  }, 15_000).catch(async () => shown());
}

const trainXor: Scenario = {
  name: '▶ Train on xor.net: the panel opens, the run ends at 100% accuracy with every epoch charted and the decision boundary of both models, and the lens shows a sparkline',
  timeoutMs: 240_000,
  skip: false,
  async run({ wb, step, session }) {
    const text = readFileSync(join(session.workspace, 'xor.net'), 'utf8');
    const epochs = Number(/epochs\s*=\s*(\d+)/.exec(text)?.[1]);
    // The block trains its models one after another; the run has ended when the last one has.
    const lastModel = /^train\s+([^{]+)\{/m.exec(text)?.[1]!.split(',').map((name) => name.trim()).pop();
    assert.ok(epochs > 0 && lastModel, 'xor.net has a train block with epochs');
    await step('open xor.net', 60_000, async () => {
      await freshWindow(wb);
      await wb.openFile('xor.net');
      await wb.waitForCodeLens('▶ Train');
    });
    await step('click ▶ Train', 10_000, () => wb.clickCodeLens('▶ Train'));
    const frame = await step('the panel opens', 45_000, async () => {
      await wb.tab('Training: ').first().waitFor();
      return panelFrame(wb);
    });
    await step('the run finishes at 100% accuracy', 180_000, async () => {
      await until(`${lastModel} to finish`, async () => {
        const header = await frame.evaluate(() => `${document.querySelector('#model')?.textContent?.trim()} ${document.querySelector('#status')?.textContent?.trim()}`);
        return header.startsWith(`${lastModel} `) && header.endsWith(' finished') ? true : undefined;
      }, 170_000, 250);
      const points = await until('every epoch on the loss chart', async () => {
        const now = await lossPoints(frame);
        return now.epoch === epochs ? now : undefined;
      }, 10_000).catch(async () => lossPoints(frame));
      assert.equal(points.epoch, epochs, `the loss chart holds ${JSON.stringify(points)}`);
      assert.ok(points.batch >= epochs, `the loss chart holds ${JSON.stringify(points)}`);
      const row = await lastEpochRow(frame);
      const accuracy = Object.entries(row).find(([name]) => /^acc(uracy)?$/.test(name))?.[1];
      assert.ok(accuracy !== undefined, `Epochs columns: ${JSON.stringify(row)}`);
      assert.ok(/^100(\.0+)?\s*%$/.test(accuracy) || Number(accuracy) === 1, `final accuracy ${accuracy}`);
      await frame.locator('#tab-charts').click();
    });
    await step('the Boundary tab shows both XOR models side by side at the last epoch', 30_000, async () => {
      const models = /^train\s+([^{]+)\{/m.exec(text)![1]!.split(',').map((name) => name.trim());
      assert.ok(models.length >= 2, `xor.net's block trains ${models}`);
      assert.deepEqual(await boundaryModels(frame, models, epochs), models.map((name) => `${name}@${epochs}`));
      await wb.screenshot('training-boundary');
      await frame.locator('#tab-charts').click();
    });
    await step('the header names the backend, its version (for wasm its build, threads and kernels) and the folder it came from: the .vsix\'s own trainer', 10_000, async () => {
      const backend = await frame.evaluate(() => document.querySelector('#backend')?.textContent?.trim() ?? '');
      const folder = await frame.evaluate(() => document.querySelector('#backend-folder')?.textContent?.trim() ?? '');
      // On wasm, the trainer's own kernels run in the .vsix's trainer too, and VS Code's runtime has relaxed SIMD.
      assert.match(backend, /^(cpu \d+\.\d+\.\d+|wasm \d+\.\d+\.\d+ \((threaded-simd|simd) build, \d+ threads?(; [^)]+)?; products and Adam in relaxed-simd on \d+ threads?\))$/);
      assert.match(folder, /[/\\]dist[/\\]standalone[/\\]/);
    });
    await step('screenshots of the panel in light and dark themes', 30_000, async () => {
      await wb.screenshot('training-finished-light');
      await wb.setColorTheme('Dark Modern');
      await wb.screenshot('training-finished-dark');
      await wb.setColorTheme('Light Modern');
    });
    await step('the train block\'s code lens shows a sparkline and the loss', 20_000, async () => {
      await wb.tab('xor.net').first().click();
      const lens = await wb.waitForCodeLens(SPARK);
      assert.match(lens, /loss/);
    });
    await step('hovering the train block shows the last run\'s chart as an image', 30_000, async () => {
      const hover = await wb.hover('train');
      assert.match(hover, new RegExp(`${lastModel}, last run`));
      const images = await wb.hoverImages();
      assert.ok(images.length >= 1, JSON.stringify(images));
      for (const image of images) {
        assert.ok(image.src.startsWith('data:image/svg+xml;base64,'), image.src);
        assert.deepEqual([image.width, image.height], [360, 150]);
      }
      await wb.screenshot('train-hover-chart');
      await wb.dismissHover();
    });
  },
};

const reloadKeepsPanel: Scenario = {
  name: 'reloading the window brings the panel back with the finished run and its decision boundaries',
  timeoutMs: 120_000,
  skip: false,
  continuesPrevious: true,
  async run({ wb, step, session }) {
    const text = readFileSync(join(session.workspace, 'xor.net'), 'utf8');
    const epochs = /epochs\s*=\s*(\d+)/.exec(text)?.[1];
    const models = /^train\s+([^{]+)\{/m.exec(text)?.[1]!.split(',').map((name) => name.trim()) ?? [];
    await step('the finished XOR run\'s panel is open', 10_000, async () => {
      assert.ok((await wb.tabs()).some((tab) => tab.startsWith('Training: ')), `the previous scenario left no training panel open; tabs: ${JSON.stringify(await wb.tabs())}`);
    });
    await step('reload the window', 60_000, () => wb.reload());
    const frame = await step('the panel is back', 45_000, async () => {
      await wb.tab('Training: ').first().waitFor();
      await wb.tab('Training: ').first().click();
      return panelFrame(wb);
    });
    await step('it shows the finished run with its chart', 20_000, async () => {
      await waitForStatus(frame, /^finished/, 15_000);
      const points = await until('the chart', async () => {
        const now = await lossPoints(frame);
        return now.epoch > 0 && now.batch > 0 ? now : undefined;
      });
      assert.ok(points.epoch > 0, JSON.stringify(points));
      // Both models of the block come back side by side, each with every epoch.
      const shown = await frame.locator('.chart[data-metric="loss"]').first().getAttribute('data-models');
      assert.equal(shown, models.map((name) => `${name}:${epochs}`).join(','));
      await wb.screenshot('training-after-reload');
    });
    await step('its Boundary tab is replayed too', 30_000, async () => {
      assert.deepEqual(await boundaryModels(frame, models, Number(epochs)), models.map((name) => `${name}@${epochs}`));
      await frame.locator('#tab-charts').click();
    });
  },
};

const longRun: Scenario = {
  name: 'a longer run: the chart gains points while it trains, the status bar counts epochs, clicking it brings the closed panel back, and Stop stops it and keeps its history',
  timeoutMs: 210_000,
  skip: false,
  async run({ wb, step, session }) {
    writeFileSync(join(session.workspace, 'long_xor.net'), LONG_XOR);
    await step('open long_xor.net and train', 60_000, async () => {
      await freshWindow(wb);
      await wb.openNewFile('long_xor.net');
      await wb.waitForCodeLens('▶ Train');
      await wb.runCommand('Layerwise: Train Model');
    });
    const opened = await step('the panel shows the run', 45_000, async () => {
      await wb.tab('Training: LongXor').first().waitFor();
      return panelFrame(wb);
    });
    const shown = await step('the loss chart gains points while training runs', 60_000, async () => {
      const frame = opened;
      await waitForStatus(frame, /^training/, 30_000);
      const first = await until('two epochs on the chart', async () => {
        const points = await lossPoints(frame);
        return points.epoch >= 2 ? points : undefined;
      }, 30_000);
      const later = await until('more points', async () => {
        const points = await lossPoints(frame);
        return points.batch > first.batch && points.epoch > first.epoch ? points : undefined;
      });
      assert.match(await statusOf(frame), /^training/);
      const bar = await until('the status bar item', async () => (await wb.statusBarTexts()).find((text) => new RegExp(`LongXor · epoch \\d+/${LONG_EPOCHS} · loss \\d`).test(text)), 10_000);
      assert.ok(bar);
      await wb.screenshot('training-mid-run');
      if (process.env['LAYERWISE_E2E_DOCS_IMAGES'] === '1') await panelImage(wb, join(repoRoot, 'docs', 'images', 'training.png'));
      return later;
    });
    const statusItem = new RegExp(`LongXor · epoch (\\d+)/${LONG_EPOCHS}`);
    const epochInStatusBar = async (): Promise<number | undefined> => {
      const text = (await wb.statusBarTexts()).find((candidate) => statusItem.test(candidate));
      return text === undefined ? undefined : Number(statusItem.exec(text)![1]);
    };
    await step('close the panel: the run goes on in the status bar', 30_000, async () => {
      await wb.closeTab('Training: LongXor');
      const closedAt = await until('the status bar item', epochInStatusBar, 10_000);
      await until('the status bar to count on', async () => ((await epochInStatusBar()) ?? 0) > closedAt ? true : undefined, 20_000);
      assert.equal(await wb.tab('Training: LongXor').count(), 0, `tabs: ${JSON.stringify(await wb.tabs())}`);
    });
    const frame = await step('clicking the status bar item opens the run\'s panel again, with the run so far', 60_000, async () => {
      await wb.clickStatusBarItem(statusItem);
      await wb.page.locator('.editor-group-container .tab.active[aria-label^="Training: LongXor"]').waitFor({ timeout: 20_000 });
      const reopened = await panelFrame(wb);
      // The same live run: still training, and its chart replays what came before the panel closed.
      await waitForStatus(reopened, /^training/, 20_000);
      const points = await until('the run so far on the chart', async () => {
        const now = await lossPoints(reopened);
        return now.epoch >= shown.epoch && now.batch >= shown.batch ? now : undefined;
      }, 20_000);
      assert.ok(points.epoch >= shown.epoch, `the reopened chart holds ${JSON.stringify(points)}; before it closed ${JSON.stringify(shown)}`);
      await wb.screenshot('training-reopened-from-status-bar');
      return reopened;
    });
    const before = await lossPoints(frame);
    await step('Stop stops it', 30_000, async () => {
      await frame.locator('#stop').click();
      await waitForStatus(frame, /^stopped/, 20_000);
      const after = await lossPoints(frame);
      assert.ok(after.epoch >= before.epoch && after.batch >= before.batch, `points before Stop ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
      await wb.screenshot('training-stopped');
    });
    await step('its history is kept on disk', 10_000, async () => {
      const runs = join(session.workspace, '.layerwise', 'runs', 'LongXor');
      assert.ok(existsSync(runs), `${runs} is missing`);
      const latest = readdirSync(runs).sort().pop()!;
      const history = JSON.parse(readFileSync(join(runs, latest, 'history.json'), 'utf8')) as { members?: { epochs?: unknown[]; reason?: string }[] };
      const member = history.members?.[0];
      assert.ok(member?.epochs && member.epochs.length >= before.epoch, `history.json holds ${member?.epochs?.length} epochs; the chart showed ${before.epoch} before Stop`);
      assert.equal(member.reason, 'stopped');
    });
  },
};

/** The README's picture of the training panel: the editor group that holds it. */
async function panelImage(wb: Workbench, path: string): Promise<void> {
  const group = wb.page.locator('.editor-group-container').filter({ has: wb.page.locator('.tab.active[aria-label^="Training: "]') }).first();
  const box = await group.boundingBox();
  assert.ok(box, 'the training panel is not on screen');
  mkdirSync(join(path, '..'), { recursive: true });
  await wb.page.screenshot({ path, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 640) } });
  log(`wrote ${path}`);
}

const trainWithError: Scenario = {
  name: 'training a file with an error shows the first error and starts no run',
  timeoutMs: 60_000,
  skip: false,
  async run({ wb, step, session }) {
    const broken = readFileSync(join(session.workspace, 'xor.net'), 'utf8').replace('Dense(8, activation=relu)', 'Dense(8, activation=relux)');
    writeFileSync(join(session.workspace, 'broken_xor.net'), broken);
    const tabsBefore = (await wb.tabs()).filter((tab) => tab.startsWith('Training: ')).length;
    await step('open broken_xor.net and train', 30_000, async () => {
      await wb.openNewFile('broken_xor.net');
      await wb.waitForCodeLens('▶ Train');
      await wb.runCommand('Layerwise: Train Model');
    });
    const where = await step('an error names the first error', 20_000, async () => {
      const message = await until('an error notification', async () => (await wb.notifications()).find((text) => text.startsWith('Layerwise:')));
      assert.match(message, /unknown activation 'relux'/);
      const position = /broken_xor\.net:(\d+):(\d+)/.exec(message);
      assert.ok(position, `the message names no position in broken_xor.net: ${message}`);
      await wb.screenshot('train-with-error');
      return `${position[1]}:${position[2]}`;
    });
    await step('"Go to Error" ends the command at the error, and no panel opened', 20_000, async () => {
      assert.notEqual(await wb.cursor(), where, 'the cursor is at the error before "Go to Error"');
      await wb.page.locator('.notification-toast').filter({ hasText: 'relux' }).locator('.monaco-button').filter({ hasText: 'Go to Error' }).click();
      // Moving the cursor is the last thing Train Model does when it declines to train: once it is there, the
      // command has ended, and any panel it had opened would be on screen.
      await until(`the cursor at ${where}`, async () => (await wb.cursor()) === where ? true : undefined, 10_000);
      assert.equal((await wb.tabs()).filter((tab) => tab.startsWith('Training: ')).length, tabsBefore);
    });
  },
};

const missingDataFile: Scenario = {
  name: 'training after its data file was deleted fails with a message naming the file',
  timeoutMs: 90_000,
  skip: false,
  async run({ wb, step, session }) {
    const net = `model Tiny {
  input [3]
  Dense(2, activation=softmax)
}

train Tiny {
  data       = csv("tiny_data.csv", label="label")
  loss       = categorical_crossentropy
  optimizer  = Adam(learning_rate=0.01)
  epochs     = 2
  batch_size = 2
}
`;
    writeFileSync(join(session.workspace, 'tiny.net'), net);
    writeFileSync(join(session.workspace, 'tiny_data.csv'), 'label,a,b,c\n0,1,2,3\n1,4,5,6\n0,1,1,1\n1,5,5,5\n');
    await step('open tiny.net', 30_000, async () => {
      await wb.openNewFile('tiny.net');
      await wb.waitForCodeLens('▶ Train');
    });
    await step('delete the data file and train', 10_000, async () => {
      rmSync(join(session.workspace, 'tiny_data.csv'));
      await wb.runCommand('Layerwise: Train Model');
    });
    await step('the failure names the file', 40_000, async () => {
      const shown = await until('a message naming tiny_data.csv', async () => {
        const notice = (await wb.notifications()).find((text) => text.includes('tiny_data.csv'));
        if (notice) return notice;
        if ((await wb.tabs()).some((tab) => tab.startsWith('Training: Tiny'))) {
          const status = await statusOf(await panelFrame(wb));
          if (/^failed: .*tiny_data\.csv/.test(status)) return status;
        }
        return undefined;
      }, 35_000, 500);
      log(`missing data file: ${shown}`);
      await wb.screenshot('train-missing-data-file');
    });
  },
};

const missingNativeBackend: Scenario = {
  name: 'with layerwise.training.backend = tfjs-node and none installed, Train says where it looked and offers Install Native Backend',
  timeoutMs: 120_000,
  skip: false,
  async run({ wb, step, session }) {
    // A block that trains in a moment: a run that starts before the editor has read the new setting ends at once, and Train is pressed again.
    const net = `model Gate {
  input [2]
  Dense(1, activation=sigmoid)
}

train Gate {
  data   = xor()
  loss   = binary_crossentropy
  epochs = 2
}
`;
    writeFileSync(join(session.workspace, 'gate.net'), net);
    mkdirSync(join(session.workspace, '.vscode'), { recursive: true });
    writeFileSync(join(session.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'layerwise.training.backend': 'tfjs-node' }, null, 2));
    const notice = async (): Promise<string | undefined> => (await wb.notifications()).find((text) => text.includes('@tensorflow/tfjs-node is in none of'));
    try {
      await step('open gate.net', 30_000, async () => {
        await wb.openNewFile('gate.net');
        await wb.waitForCodeLens('▶ Train');
      });
      const shown = await step('train: the message names the folders looked in', 70_000, async () => {
        // The editor reads a new workspace setting on its own time: until it has, a run trains on the default backend.
        for (let attempt = 1; ; attempt++) {
          await wb.focusEditor();
          await wb.runCommand('Layerwise: Train Model');
          const found = await until('the not-installed message', notice, 12_000, 500).catch(() => undefined);
          if (found) return found;
          if (attempt === 4) throw new Error('four runs went by without the not-installed message: the backend setting was not used');
          log(`native backend: run ${attempt} ended without the not-installed message; training again once the setting is read`);
        }
      });
      await step('the message offers the install', 10_000, async () => {
        assert.ok(shown.includes(join(session.workspace, 'node_modules')), shown);
        assert.match(shown, /globalStorage/);
        const buttons = await wb.notificationButtons('@tensorflow/tfjs-node is in none of');
        assert.ok(buttons.includes('Install Native Backend'), JSON.stringify(buttons));
        await wb.screenshot('train-native-missing');
      });
    } finally {
      rmSync(join(session.workspace, '.vscode'), { recursive: true, force: true });
    }
  },
};

const installNative: Scenario = {
  name: '"Layerwise: Install Native Backend": CPU; npm runs, the failed download of libtensorflow is the message, and nothing is left installed',
  timeoutMs: 240_000,
  skip: false,
  async run({ wb, step, session }) {
    const storage = join(session.userDataDir, 'User', 'globalStorage', 'layerwise.layerwise');
    await step('run the command and choose CPU', 30_000, async () => {
      await wb.runCommand('Layerwise: Install Native Backend');
      const input = wb.page.locator('.quick-input-widget input');
      await input.waitFor();
      const rows = wb.page.locator('.quick-input-widget .monaco-list-row');
      await until('the CPU and GPU choices', async () => {
        const labels = await rows.allInnerTexts();
        return labels.some((label) => label.includes('CPU')) && labels.some((label) => label.includes('GPU')) ? true : undefined;
      }, 20_000);
      await input.fill('CPU');
      await wb.page.keyboard.press('Enter');
    });
    await step('the progress notification, with Cancel, while npm runs', 30_000, async () => {
      await until('the progress notification', async () => (await wb.notifications()).find((text) => text.includes('installing @tensorflow/tfjs-node@')), 25_000, 250).catch(() => undefined);
      await wb.screenshot('install-native-progress');
    });
    await step('the install ends with npm\'s failure, and nothing is installed', 200_000, async () => {
      const shown = await until('the failure message', async () => (await wb.notifications()).find((text) => text.includes('npm could not install @tensorflow/tfjs-node@')), 190_000, 1000);
      log(`install native backend: ${shown}`);
      assert.match(shown, /is as it was/);
      await wb.screenshot('install-native-failed');
      assert.ok(!existsSync(join(storage, 'native', 'node_modules')), 'a native package was left installed');
      const left = existsSync(storage) ? readdirSync(storage).filter((name) => name.includes('.installing-')) : [];
      assert.deepEqual(left, [], 'a staging folder was left behind');
    });
  },
};

/** Every scenario, in the order they run on one workbench. */
export const scenarios: readonly Scenario[] = [signMnist, shapeErrors, completionAndRename, summary, modelGraph, trainXor, reloadKeepsPanel, longRun, trainWithError, missingDataFile, missingNativeBackend, installNative];
