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
};

// The command line (which also serves `lsp --stdio`) and the language server on its own.
await build({
  ...common,
  entryPoints: { cli: 'cli/main.ts', server: 'server/bin.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
  // Loaded at run time where present; never bundled.
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
});

// The VS Code extension: vscode is provided by the editor.
await build({
  ...common,
  entryPoints: { extension: 'client/extension.ts' },
  outdir: 'dist',
  external: ['vscode'],
});
