/**
 * The training panel's chart library, chosen by measurement: uPlot against
 * Chart.js 4 on the panel's own workload (bench/charts/workload.mts) in
 * headless Chromium, and the size of each library as the panel would ship it.
 *
 * - live: an empty chart grows to 50,000 batch points in updates of 14 (about
 *   sixty a second in a fast run), an epoch point every 500 batches; each
 *   update appends its points and redraws before returning, timed one by one;
 * - replay: the whole run drawn at once from scratch (create and first draw);
 * - bundle: a tiny entry that imports what the panel would use, bundled and
 *   minified by esbuild as the panel is, and its gzip size.
 *
 * Chart.js runs twice, without and with its decimation plugin, and its
 * figures are printed beside uPlot's as ratios. The pages are served
 * cross-origin isolated, which gives performance.now() its fine resolution.
 * `node out/bench/chartLibraries.js` prints the figures.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../test/support';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** What the pages report; the pages' own types live in bench/charts/workload.mts, an ES module. */
interface PageLive { updatesMs: number[]; rows: number; draws: number; inkedPixels: number; isolated: boolean }
interface PageReplay { runsMs: number[]; rows: number; draws: number; inkedPixels: number; isolated: boolean }
interface PageWorkload { width: number; height: number; batches: number; batchesPerEpoch: number; pointsPerUpdate: number; replays: number }

/** The Chart.js parts the panel's chart needs, registered by bench/charts/chartjs.mts too. */
const CHART_JS_PARTS = ['LineController', 'LineElement', 'PointElement', 'LinearScale', 'Title', 'Legend'];

export interface BundleSize {
  /** Minified bytes. */
  bytes: number;
  gzipBytes: number;
}

export interface LiveFigures {
  updates: number;
  medianMs: number;
  /** The median of the last tenth of the updates, when the chart holds 45,000 to 50,000 points. */
  lastTenthMedianMs: number;
  /** Updates longer than one frame at 60 Hz. */
  overFrame: number;
  p99Ms: number;
  maxMs: number;
  totalMs: number;
}

export interface LibraryRun {
  /** The library and its setting, as printed. */
  name: string;
  live: LiveFigures;
  /** Create and first draw of the whole run: the median and every run. */
  replayMedianMs: number;
  replayRunsMs: number[];
}

export interface ChartLibraryFigures {
  chromium: string;
  workload: PageWorkload & { updates: number };
  versions: { uplot: string; chartjs: string };
  runs: LibraryRun[];
  bundles: {
    uplot: BundleSize;
    /** uPlot's style sheet, which the panel ships in its own. */
    uplotCss: BundleSize;
    chartjs: BundleSize;
    chartjsDecimation: BundleSize;
    /** Every part of Chart.js (`chart.js/auto`), for scale. */
    chartjsAll: BundleSize;
    chartjsParts: string[];
  };
}

const browserBuild: BuildOptions = { bundle: true, minify: true, format: 'iife', platform: 'browser', target: 'chrome120', write: false, logLevel: 'warning', absWorkingDir: repoRoot };

async function bundle(options: BuildOptions): Promise<string> {
  const result = await build({ ...browserBuild, ...options });
  return result.outputFiles!.map((file) => file.text).join('');
}

function size(text: string): BundleSize {
  const bytes = Buffer.from(text);
  return { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

const entrySize = async (contents: string): Promise<BundleSize> =>
  size(await bundle({ stdin: { contents, resolveDir: repoRoot, loader: 'js', sourcefile: 'entry.js' } }));

async function measureBundles(uplotCss: string): Promise<ChartLibraryFigures['bundles']> {
  const chartjsEntry = (parts: string[]) =>
    `import { Chart, ${parts.join(', ')} } from 'chart.js';\nChart.register(${parts.join(', ')});\nglobalThis.Chart = Chart;\n`;
  return {
    uplot: await entrySize(`import uPlot from 'uplot';\nglobalThis.uPlot = uPlot;\n`),
    uplotCss: size(uplotCss),
    chartjs: await entrySize(chartjsEntry(CHART_JS_PARTS)),
    chartjsDecimation: await entrySize(chartjsEntry([...CHART_JS_PARTS, 'Decimation'])),
    chartjsAll: await entrySize(`import Chart from 'chart.js/auto';\nglobalThis.Chart = Chart;\n`),
    chartjsParts: CHART_JS_PARTS,
  };
}

/** The page of one library: the given style sheet inline, and the library's bundled page script beside it. */
async function libraryPage(name: string, css: string): Promise<[string, Served][]> {
  const script = await bundle({ entryPoints: [join(repoRoot, 'bench', 'charts', `${name}.mts`)] });
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;font:13px sans-serif}${css}</style></head>`
    + `<body><script src="/${name}.js"></script></body></html>`;
  return [[`/${name}`, { type: 'text/html; charset=utf-8', body: html }], [`/${name}.js`, { type: 'text/javascript', body: script }]];
}

interface Served { type: string; body: string }

/** Serves the pages with the headers that make them cross-origin isolated. */
function serve(files: Map<string, Served>): Promise<Server> {
  const server = createServer((request, response) => {
    const file = files.get(request.url ?? '');
    if (file === undefined) {
      response.writeHead(request.url === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': file.type,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    }).end(file.body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** The nearest-rank percentile. */
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const FRAME_MS = 1000 / 60;

function liveFigures(updatesMs: number[]): LiveFigures {
  return {
    updates: updatesMs.length,
    medianMs: median(updatesMs),
    lastTenthMedianMs: median(updatesMs.slice(Math.floor(updatesMs.length * 0.9))),
    overFrame: updatesMs.filter((value) => value > FRAME_MS).length,
    p99Ms: percentile(updatesMs, 99),
    maxMs: Math.max(...updatesMs),
    totalMs: updatesMs.reduce((sum, value) => sum + value, 0),
  };
}

/** Checks that a run drew what it was given, once per update or creation, and with fine timing. */
function checkRun(name: string, what: string, result: { rows: number; draws: number; inkedPixels: number; isolated: boolean }, rows: number, draws: number): void {
  if (result.rows !== rows) throw new Error(`${name}, ${what}: the chart holds ${result.rows} rows, not ${rows}`);
  if (result.draws !== draws) throw new Error(`${name}, ${what}: ${result.draws} draws for ${draws} updates; drawing was not synchronous`);
  if (result.inkedPixels < 1000) throw new Error(`${name}, ${what}: the canvas is nearly blank (${result.inkedPixels} pixels)`);
  if (!result.isolated) throw new Error(`${name}, ${what}: the page is not cross-origin isolated, so its timer is coarse`);
}

async function measureRun(browser: Browser, url: string, name: string, decimation: boolean, workload: PageWorkload): Promise<LibraryRun> {
  const open = async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForFunction('window.chartPage !== undefined');
    return { page, errors };
  };
  const updates = Math.ceil(workload.batches / workload.pointsPerUpdate);

  // A fresh page for each workload, so that neither inherits the other's heap.
  const first = await open();
  const live = await first.page.evaluate<PageLive>(`window.chartPage.live({ decimation: ${decimation} })`);
  await first.page.close();
  if (first.errors.length) throw new Error(`${name}: ${first.errors.join('; ')}`);
  checkRun(name, 'live', live, workload.batches, updates);

  const second = await open();
  const replay = await second.page.evaluate<PageReplay>(`window.chartPage.replay({ decimation: ${decimation} })`);
  await second.page.close();
  if (second.errors.length) throw new Error(`${name}: ${second.errors.join('; ')}`);
  checkRun(name, 'replay', replay, workload.batches, workload.replays);

  return { name, live: liveFigures(live.updatesMs), replayMedianMs: median(replay.runsMs), replayRunsMs: replay.runsMs };
}

const version = (name: string): string =>
  (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

export async function measureChartLibraries(): Promise<ChartLibraryFigures> {
  const uplotCss = await bundle({ entryPoints: [join(repoRoot, 'node_modules', 'uplot', 'dist', 'uPlot.min.css')], format: undefined });
  const bundles = await measureBundles(uplotCss);
  const server = await serve(new Map([...await libraryPage('uplot', uplotCss), ...await libraryPage('chartjs', '')]));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const probe = await browser.newPage();
    await probe.goto(`${origin}/uplot`);
    await probe.waitForFunction('window.chartPage !== undefined');
    const workload = await probe.evaluate<PageWorkload>('window.chartWorkload');
    await probe.close();
    const runs = [
      await measureRun(browser, `${origin}/uplot`, `uPlot ${version('uplot')}`, false, workload),
      await measureRun(browser, `${origin}/chartjs`, `Chart.js ${version('chart.js')}`, false, workload),
      await measureRun(browser, `${origin}/chartjs`, `Chart.js ${version('chart.js')} + min-max decimation`, true, workload),
    ];
    return {
      chromium: browser.version(),
      workload: { ...workload, updates: Math.ceil(workload.batches / workload.pointsPerUpdate) },
      versions: { uplot: version('uplot'), chartjs: version('chart.js') },
      runs,
      bundles,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const count = (value: number): string => value.toLocaleString('en-US');

/** The figures as printable lines, in the style of `npm run bench`; each Chart.js figure beside uPlot's as a ratio. */
export function formatChartLibraries(figures: ChartLibraryFigures): string[] {
  const { workload, runs, bundles, versions } = figures;
  const [reference] = runs;
  const width = Math.max(...runs.map((run) => run.name.length)) + 2;
  const ratio = (value: number, base: number, run: LibraryRun) => (run === reference ? '' : ` (${(value / base).toFixed(1)}×)`);
  const sized = (label: string, value: BundleSize, base?: BundleSize) =>
    `    ${label.padEnd(Math.max(width, 32))}${kib(value.bytes)}, gzip ${kib(value.gzipBytes)}${base ? ` (${(value.gzipBytes / base.gzipBytes).toFixed(1)}× gzipped)` : ''}`;
  return [
    `Chart libraries in headless Chromium ${figures.chromium}: the panel's loss chart, ${workload.width}×${workload.height} px, 3 series, ${count(workload.batches)} batch points, an epoch point every ${workload.batchesPerEpoch}`,
    `  live: ${count(workload.updates)} updates of ${workload.pointsPerUpdate} points, each appended and drawn synchronously (ratios to uPlot)`,
    ...runs.flatMap((run) => {
      const { medianMs, lastTenthMedianMs, p99Ms, maxMs, totalMs, overFrame } = run.live;
      const base = reference!.live;
      const tenth = Math.floor(workload.batches * 0.9);
      return [
        `    ${run.name.padEnd(width)}median ${ms(medianMs)}${ratio(medianMs, base.medianMs, run)} · p99 ${ms(p99Ms)}${ratio(p99Ms, base.p99Ms, run)}`
          + ` · max ${ms(maxMs)} · total ${(totalMs / 1000).toFixed(2)} s${ratio(totalMs, base.totalMs, run)}`,
        `    ${''.padEnd(width)}from ${count(tenth)} points on, median ${ms(lastTenthMedianMs)}${ratio(lastTenthMedianMs, base.lastTenthMedianMs, run)}`
          + ` · longer than a 60 Hz frame: ${count(overFrame)} of ${count(run.live.updates)}`,
      ];
    }),
    `  replay: all ${count(workload.batches)} points from scratch (create + first draw), median of ${workload.replays}, after one untimed warm-up`,
    ...runs.map((run) =>
      `    ${run.name.padEnd(width)}${ms(run.replayMedianMs)}${ratio(run.replayMedianMs, reference!.replayMedianMs, run)} (runs ${run.replayRunsMs.map((value) => value.toFixed(1)).join(', ')} ms)`),
    '  bundle: a minimal entry, minified by esbuild as the panel is',
    sized(`uPlot ${versions.uplot}`, bundles.uplot),
    sized(`uPlot ${versions.uplot}, style sheet`, bundles.uplotCss),
    sized(`Chart.js ${versions.chartjs}, parts used`, bundles.chartjs, bundles.uplot),
    sized(`Chart.js ${versions.chartjs}, + Decimation`, bundles.chartjsDecimation, bundles.uplot),
    sized(`Chart.js ${versions.chartjs}, all (auto)`, bundles.chartjsAll, bundles.uplot),
    `    parts used: ${bundles.chartjsParts.join(', ')}; all: chart.js/auto`,
  ];
}

if (require.main === module) {
  measureChartLibraries().then(
    (figures) => { for (const line of formatChartLibraries(figures)) console.log(line); },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
