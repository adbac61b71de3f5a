/**
 * The npm package as a user gets it: every module the bundles load at run
 * time is a dependency, and the `npm pack` tarball, installed with npm into
 * an empty folder, checks, summarises, trains (cpu and wasm), exports and
 * serves the language server from its own node_modules.
 *
 * One pack and one install per run (about 20 s with npm's cache, more where
 * it downloads). The install leaves out the optional tfjs-node packages
 * (--omit=optional): their install scripts download libtensorflow from
 * outside the npm registry, which CI cannot reach, and the CLI must train
 * without them anyway, as it does where they failed to install.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { RunHistory } from '../protocol/history';
import { LspClient } from './lsp/client';
import { read, repoRoot } from './support';

interface Manifest {
  name: string;
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
}

const manifest = JSON.parse(read(join(repoRoot, 'package.json'))) as Manifest;

/** The bundles that the package's bins run, and the trainer they start. */
const BUNDLES = ['dist/cli.js', 'dist/server.js', 'dist/trainer.js'];

/** The package a module specifier names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('the npm package\'s dependencies', () => {
  it('every package the bundles load at run time is a dependency, an optional one where the code copes without it', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    for (const bundle of BUNDLES) {
      const code = read(join(repoRoot, bundle));
      const loaded = new Set([...code.matchAll(/\b(?:require|import)\("([^"]+)"\)/g)].map((match) => match[1]!).filter((specifier) => !builtins.has(specifier) && !specifier.startsWith('.')));
      for (const specifier of loaded) {
        const name = packageOf(specifier);
        assert.ok(name in manifest.dependencies || name in manifest.optionalDependencies, `${bundle} loads '${specifier}', which is ${name in manifest.devDependencies ? 'only a devDependency' : 'not a dependency'}`);
      }
    }
  });
});

/** npm with an environment of its own: a prefix inherited from `npm test` must not redirect the install. */
function npm(args: string[], cwd: string, timeout = 600_000): SpawnSyncReturns<string> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_config_(local_|global_)?prefix$/i.test(key)) delete env[key];
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout });
}

describe('the npm package, installed from its tarball into an empty folder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'layerwise-npm-'));
  const app = join(scratch, 'app');
  const work = join(scratch, 'work');
  const bin = (name: string) => join(app, 'node_modules', '.bin', name);
  let packed: string[] = [];

  before(
    () => {
      const pack = npm(['pack', '--json', '--pack-destination', scratch], repoRoot);
      assert.equal(pack.status, 0, pack.stderr);
      const [result] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
      packed = result!.files.map((file) => file.path);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
      const install = npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', '--prefix', app, join(scratch, result!.filename)], app);
      assert.equal(install.status, 0, `npm install: ${install.stderr}`);
      mkdirSync(work);
    },
    { timeout: 900_000 },
  );
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs an installed bin as a shell would: through its #! line, from the work folder. */
  function run(name: string, ...args: string[]): SpawnSyncReturns<string> {
    const env = { ...process.env };
    delete env['NODE_PATH'];
    return spawnSync(bin(name), args, { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  }

  it('holds the bundles the bins run, the examples and the reference, and no sources or tests', () => {
    for (const file of [...BUNDLES, 'package.json', 'README.md', 'LICENSE', 'docs/language.md', 'examples/xor.net']) assert.ok(packed.includes(file), `${file} in ${packed.join(', ')}`);
    assert.deepEqual(packed.filter((file) => /\.ts$|^test\/|^out\//.test(file)), []);
    for (const name of Object.keys(manifest.bin)) accessSync(bin(name), constants.X_OK);
  });

  it('--version and check', () => {
    const version = run('layerwise', '--version');
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${manifest.version}\n`);
    writeFileSync(join(work, 'xor.net'), read(join(app, 'node_modules', 'layerwise', 'examples', 'xor.net')));
    const check = run('layerwise', 'check', 'xor.net');
    assert.equal(check.status, 0, check.stderr);
    assert.equal(check.stdout, '');
  });

  it('summary', () => {
    writeFileSync(join(work, 'sign_mnist.net'), read(join(app, 'node_modules', 'layerwise', 'examples', 'sign_mnist.net')));
    const summary = run('layerwise', 'summary', 'sign_mnist.net');
    assert.equal(summary.status, 0, summary.stderr);
    assert.match(summary.stdout, /^Model: "SignMNIST"/);
    assert.match(summary.stdout, /Total params: 1,466,136/);
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`train --backend ${backend}: two epochs and a model in the run folder`, () => {
      const file = join(work, `xor-${backend}.net`);
      writeFileSync(file, read(join(app, 'node_modules', 'layerwise', 'examples', 'xor.net')));
      const train = run('layerwise', 'train', file, '--model', 'XorMLP', '--epochs', '2', '--backend', backend);
      assert.equal(train.status, 0, train.stderr + train.stdout);
      assert.match(train.stdout, new RegExp(`Training XorMLP on ${backend}`));
      assert.match(train.stdout, /XorMLP\s+2\s+\d+\s+[\d.]+\s+[\d.]+\s+completed/);
      const folder = train.stdout.split('\n').find((line) => line.includes('/XorMLP/'))!.trim();
      assert.ok(existsSync(join(folder, 'model.json')), `${folder}/model.json`);
      const history = JSON.parse(readFileSync(join(folder, 'history.json'), 'utf8')) as RunHistory;
      assert.equal(history.backend, backend);
      assert.equal(history.members[0]!.epochs.length, 2);
    });
  }

  it('export keras and export tfjs; the installed @tensorflow/tfjs loads and runs the export', () => {
    const file = join(work, 'layers.net');
    writeFileSync(
      file,
      'model Layers {\n  input image: [8, 8, 1]\n  a = image -> RandomFlip() -> RandomRotation(0.1) -> Flatten() -> Maxout(4, pieces=3)\n  b = a -> Dense(4)\n  output (a, b) -> Subtract() -> Dense(2, activation=softmax)\n}\n',
    );
    const keras = run('layerwise', 'export', 'keras', file);
    assert.equal(keras.status, 0, keras.stderr);
    assert.match(keras.stdout, /keras\.Model\(inputs=image, outputs=dense_1, name="Layers"\)/);
    const out = join(work, 'layers-tfjs');
    const tfjs = run('layerwise', 'export', 'tfjs', file, '--out', out);
    assert.equal(tfjs.status, 0, tfjs.stderr);
    assert.equal(tfjs.stdout, `wrote ${join(out, 'model.json')} and ${join(out, 'weights.bin')}\n`);
    // A script of the user's, beside the install: only @tensorflow/tfjs, from the app's node_modules.
    const script = join(app, 'predict.js');
    writeFileSync(
      script,
      `const { readFileSync } = require('node:fs');
const tf = require('@tensorflow/tfjs');
(async () => {
  const json = JSON.parse(readFileSync(${JSON.stringify(join(out, 'model.json'))}, 'utf8'));
  const weights = readFileSync(${JSON.stringify(join(out, 'weights.bin'))});
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }));
  const y = model.predict(tf.ones([3, 8, 8, 1]));
  process.stdout.write(JSON.stringify({ shape: y.shape, sums: (await y.sum(1).array()), resolved: require.resolve('@tensorflow/tfjs') }));
})();
`,
    );
    const predicted = spawnSync(process.execPath, [script], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    assert.equal(predicted.status, 0, predicted.stderr);
    const result = JSON.parse(predicted.stdout) as { shape: number[]; sums: number[]; resolved: string };
    assert.deepEqual(result.shape, [3, 2]);
    for (const sum of result.sums) assert.ok(Math.abs(sum - 1) < 1e-5, `softmax rows sum to 1: ${result.sums.join(', ')}`);
    assert.ok(result.resolved.startsWith(join(app, 'node_modules')), result.resolved);
  });

  it('runs lists the runs', () => {
    const runs = run('layerwise', 'runs', join(work, 'xor-cpu.net'));
    assert.equal(runs.status, 0, runs.stderr);
    assert.match(runs.stdout, / {2}XorMLP {2}2 epochs {2}completed/);
  });

  it('layerwise-language-server --stdio answers an editor with diagnostics', async () => {
    const client = new LspClient(['--stdio'], bin('layerwise-language-server'));
    try {
      const init = await client.initialize();
      assert.ok(init.capabilities.hoverProvider);
      const uri = pathToFileURL(join(work, 'broken.net')).href;
      const published = client.diagnostics(uri, 1);
      await client.open(uri, 'model M {\n  input [2]\n  Dense(1, activation=sigmoidd)\n}\n');
      const { diagnostics } = await published;
      assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['unknown-activation', 2]]);
    } finally {
      await client.stop();
    }
  });
});
