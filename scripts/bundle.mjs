// Bundles what runs into dist/: minified, with source maps. tsc (run before)
// type-checks and compiles the tests; esbuild makes the shipped files.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  // Loaded at run time where present; never bundled.
  external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  logLevel: 'warning',
});
