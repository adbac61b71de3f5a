/**
 * `npm run bench`: the project's speed figures, each beside a reference
 * measured in the same run.
 */
import { formatBoundary, measureBoundary } from './boundary';
import { measureCheckSpeed } from './checkSpeed';
import { measureDistributionsCost } from './distributionsCost';
import { measureEngineOverhead } from './engineOverhead';
import { formatImageFolders, measureImageFolders } from './imageFolders';
import { measureLspSpeed } from './lspSpeed';
import { measurePanelSpeed } from './panelSpeed';
import { formatProfiles, measureProfiles } from './profile';
import { formatChartLibraries, measureChartLibraries } from './chartLibraries';
import { formatGraphLayouts, measureGraphLayouts, measureGraphUpdate } from './graphLayouts';
import { measureTrainSpeed } from './trainSpeed';
import { measureVsixSpeed } from './vsixSpeed';

/** The digits CNN's samples/s on wasm before the trainer's kernels (bench/README.md, quiet run). */
const CNN_BEFORE = 361;

/**
 * The sections of the bench, by name: `npm run bench -- NAME…` runs only those
 * named (check, lsp, graph, profile, train, vsix, engine, boundary, images, panel).
 */
const SECTIONS: Record<string, () => Promise<void>> = {
  async check() {
    const check = await measureCheckSpeed(2000);
    console.log('Checking a generated model (full analysis: parse, bind, shapes, params)');
    console.log(`  layers                    ${check.layers}`);
    console.log(`  .net size                 ${(check.bytes / 1024).toFixed(1)} KiB; Keras JSON ${(check.jsonBytes / 1024).toFixed(1)} KiB`);
    console.log(`  check, median             ${check.checkMedianMs.toFixed(2)} ms`);
    console.log(`  JSON.parse, median        ${check.parseMedianMs.toFixed(2)} ms`);
    console.log(`  ratio                     ${check.ratio.toFixed(2)}× (target ≤ 5×)`);
  },
  async lsp() {
    const lsp = await measureLspSpeed(2000);
    console.log('Language server over stdio, on the same file');
    console.log(`  in-process check, median  ${lsp.checkMs.toFixed(2)} ms (reference)`);
    console.log(`  edit → diagnostics        ${lsp.diagnosticsMs.toFixed(2)} ms median (target ≤ 50 ms; ${(lsp.diagnosticsMs / lsp.checkMs).toFixed(1)}× the check)`);
    console.log(`  hover                     ${lsp.hoverMs.toFixed(2)} ms median (target ≤ 5 ms)`);
    console.log(`  completion                ${lsp.completionMs.toFixed(2)} ms median (target ≤ 5 ms)`);
    console.log(`  server resident memory    ${lsp.rssMiB.toFixed(0)} MiB`);
    console.log(`  server start → initialize ${lsp.startMs.toFixed(0)} ms median`);
  },
  async graph() {
    // The graph view: its layout library, chosen by this measurement (bench/README.md), and its update as the text changes.
    for (const line of formatGraphLayouts(await measureGraphLayouts())) console.log(line);
    const updates = await measureGraphUpdate();
    for (const [edit, update] of [['a number edited', updates.numbers], ['a layer added or removed', updates.structure]] as const) {
      console.log(`Graph view update on a ${update.layers}-layer model, ${edit}: didChange → graph answered ${update.requestMs.toFixed(1)} ms + layout ${update.layoutMs.toFixed(1)} ms = ${update.totalMs.toFixed(1)} ms median (target ≤ 100 ms; ${(update.totalMs / 100).toFixed(2)}× the target)`);
    }
  },
  async profile() {
    // Where a wasm training step's time goes (bench/profile.ts), on the backend's kernels and on the trainer's.
    console.log("A training step on wasm, by kernel family: the backend's own kernels and tfjs's Adam, against the trainer's kernels (trainer/wasm/ownKernels) and Adam");
    for (const line of formatProfiles(await measureProfiles())) console.log(line);
  },
  async train() {
    const train = await measureTrainSpeed();
    const torch = (samplesPerSecond: number, reference: number | undefined): string =>
      reference === undefined ? '' : ` · PyTorch ${reference.toFixed(0)} samples/s, wasm ${(samplesPerSecond / reference).toFixed(2)}× PyTorch`;
    console.log('Training the course MLP (784-1024-512-256-24, Adam) against numpy (../shared/bench/mlp_reference.py) and PyTorch (../shared/bench/mlp_torch.py)');
    for (const run of train.mlp) {
      const target = run.batch >= 128 ? 0.7 : 0.8;
      console.log(`  batch ${String(run.batch).padEnd(4)} numpy ${run.numpy.toFixed(0)} samples/s · wasm (${run.wasmThreads} threads) ${run.wasm.toFixed(0)} samples/s · ratio ${run.ratio.toFixed(2)}× (target ≥ ${target}×)${torch(run.wasm, run.torch)} · the backend's own kernels ${run.backendKernels.toFixed(0)} samples/s, ${(run.wasm / run.backendKernels).toFixed(2)}× them`);
    }
    const cnn = train.cnn;
    // CNN_BEFORE: the samples/s recorded in bench/README.md before the trainer's kernels, quiet run; the target is twice it.
    console.log(`Training the digits CNN, batch ${cnn.batch}: wasm (${cnn.wasmThreads} threads) ${cnn.wasm.toFixed(0)} samples/s, ${(cnn.wasm / CNN_BEFORE).toFixed(2)}× the ${CNN_BEFORE} recorded before (target ≥ 2×) · the backend's own kernels ${cnn.backendKernels.toFixed(0)} samples/s, ${(cnn.wasm / cnn.backendKernels).toFixed(2)}× them · plain tfjs-cpu ${cnn.cpu.toFixed(1)} samples/s · ${cnn.ratio.toFixed(0)}×${torch(cnn.wasm, cnn.torch)} (bench/cnn_torch.py)`);
    if (train.torchSkipped) console.log(`  PyTorch references skipped: ${train.torchSkipped}`);
  },
  async vsix() {
    const vsix = await measureVsixSpeed();
    console.log(`The .vsix's trainer (dist/standalone, no node_modules) against the command line's, the course MLP at batch 128, ${vsix.rounds} rounds each`);
    console.log(`  .vsix ${vsix.vsix.toFixed(0)} samples/s · command line ${vsix.cli.toFixed(0)} samples/s · ${(vsix.vsix / vsix.cli).toFixed(2)}× (the same: 1×)`);
  },
  async engine() {
    const overhead = await measureEngineOverhead();
    console.log(`The engine against a bare model.fit on ${overhead.backend}, the course MLP at batch 128`);
    console.log(`  engine ${overhead.engineSeconds.toFixed(2)} s · bare fit ${overhead.bareSeconds.toFixed(2)} s · overhead ${(overhead.overhead * 100).toFixed(1)}% (bar ≤ 5%)`);
  },
  async boundary() {
    for (const line of formatBoundary(await measureBoundary())) console.log(line);
    const distributions = await measureDistributionsCost();
    console.log(`The per-layer distributions on ${distributions.backend}, the course MLP at batch 128`);
    console.log(`  summaries ${distributions.summarySeconds.toFixed(3)} s over epochs of ${distributions.epochSeconds.toFixed(2)} s: ${(distributions.ratio * 100).toFixed(1)}% (target ≤ 5%)`);
    console.log(`  whole run with them ${distributions.withSeconds.toFixed(2)} s · without ${distributions.withoutSeconds.toFixed(2)} s · ${((distributions.withSeconds / distributions.withoutSeconds - 1) * 100).toFixed(1)}%`);
  },
  async images() {
    for (const line of formatImageFolders(await measureImageFolders())) console.log(line);
  },
  async panel() {
    const panel = await measurePanelSpeed();
    if (!panel) {
      console.log('Training panel page: skipped (/usr/bin/chromium is missing)');
    } else {
      console.log(`Training panel page in headless Chromium: ${panel.batches.toLocaleString('en-US')} batches over ${panel.epochs} epochs at ${panel.batchesPerSecond.toLocaleString('en-US')} batches/s, in ${panel.messages.toLocaleString('en-US')} messages at 60 a second`);
      console.log(`  replayed in ${panel.wallSeconds.toFixed(1)} s instead of ${panel.realSeconds.toFixed(1)} s (${(panel.realSeconds / panel.wallSeconds).toFixed(1)}× real time, one message a frame, per-update work timed in the page)`);
      console.log(`  update (handling + render) median ${panel.medianMs.toFixed(2)} ms (target < 4 ms) · p99 ${panel.p99Ms.toFixed(2)} ms (target < 16 ms) · max ${panel.maxMs.toFixed(1)} ms`);
      // The measurement behind the panel's chart library (bench/README.md).
      for (const line of formatChartLibraries(await measureChartLibraries())) console.log(line);
    }
  },
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`no bench section ${unknown.join(', ')}: the sections are ${Object.keys(SECTIONS).join(', ')}`);
  for (const [name, run] of Object.entries(SECTIONS)) if (asked.length === 0 || asked.includes(name)) await run();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
