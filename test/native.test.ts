/**
 * Where the trainer finds @tensorflow/tfjs-node, with the real package as
 * npm ships it (its addon, which its installer downloads, cannot be had
 * here): placed in the folder a setting names, in a workspace's
 * node_modules and in the per-user folder, the first wins, as the command
 * line, the trainer and the .vsix's self-contained trainer all report; a
 * package built for another TensorFlow.js is refused before it loads; and a
 * loaded package registers with the trainer's own engine.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { StartedEvent, TrainerEvent } from '../protocol/training';
import { findNative, loadNative, searchFolders, TFJS_VERSION } from '../trainer/native';
import { TrainingProcess } from '../trainer/process';
import { placeTfjsNode, tfjsNodeInstall } from './nativeFixture';
import { cliPath, repoRoot } from './support';

const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'layerwise-native-')));
after(() => rmSync(scratch, { recursive: true, force: true }));

const XOR = `model Xor {
  input x: [2]
  x -> Dense(4, activation=tanh) -> Dense(1, activation=sigmoid)
}

train Xor {
  data = xor
  loss = binary_crossentropy
  epochs = 1
}
`;

/** A fresh tree: a folder above the workspace, the workspace with the .net file one folder down, a named folder and a per-user cache. */
function layout(name: string) {
  const base = join(scratch, name);
  const above = join(base, 'above');
  const workspace = join(above, 'workspace');
  const sub = join(workspace, 'models');
  const setting = join(base, 'setting');
  const xdg = join(base, 'xdg');
  mkdirSync(sub, { recursive: true });
  mkdirSync(setting, { recursive: true });
  const file = join(sub, 'xor.net');
  writeFileSync(file, XOR);
  return { above, workspace, sub, setting, file, xdg, userDir: join(xdg, 'layerwise', 'native') };
}

function cli(args: string[], xdg: string) {
  return spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, XDG_CACHE_HOME: xdg } });
}

/** The `backend` command's line for tfjs-node. */
function tfjsNodeLine(stdout: string): string {
  return stdout.split('\n').find((line) => line.startsWith('tfjs-node '))!;
}

/** The place the package loaded from, as its missing addon's path names it. */
function addonFolder(line: string): string | undefined {
  return /can not be found at path: (\S+)\/@tensorflow\/tfjs-node\/lib\//.exec(line)?.[1];
}

describe('native package resolution', () => {
  before(() => {
    tfjsNodeInstall();
  });

  // First, while nothing in this process has loaded a native package.
  test('the package registers with the trainer’s engine, and its own copy of TensorFlow.js is never loaded', () => {
    const tree = layout('engine');
    placeTfjsNode(join(tree.setting, 'node_modules'));
    assert.equal(tf.getKernelsForBackend('tensorflow').length, 0);
    const result = loadNative('tfjs-node', { folder: tree.setting, userDir: tree.userDir });
    assert.ok('reason' in result && /tfjs_binding\.node/.test(result.reason), JSON.stringify(result));
    // Its kernels were registered before the addon was looked for: in this process's registry, that is the one engine.
    assert.ok(tf.getKernelsForBackend('tensorflow').length > 100);
    const own = join(repoRoot, 'node_modules') + '/';
    const copies = Object.keys(require.cache).filter((path) => /\/@tensorflow\/tfjs(-core)?\//.test(path) && !path.startsWith(own));
    assert.deepEqual(copies, []);
  });

  test('the named folder wins over the workspace, the workspace over the per-user folder', () => {
    const tree = layout('order');
    placeTfjsNode(join(tree.setting, 'node_modules'));
    placeTfjsNode(join(tree.workspace, 'node_modules'));
    placeTfjsNode(join(tree.userDir, 'node_modules'));

    const named = tfjsNodeLine(cli(['backend', tree.file, '--native-modules', tree.setting], tree.xdg).stdout);
    assert.equal(addonFolder(named), join(tree.setting, 'node_modules'), named);
    assert.match(named, /layerwise\.training\.nativeModules/);

    const workspace = tfjsNodeLine(cli(['backend', tree.file], tree.xdg).stdout);
    assert.equal(addonFolder(workspace), join(tree.workspace, 'node_modules'), workspace);
    assert.match(workspace, /the workspace's node_modules/);

    rmSync(join(tree.workspace, 'node_modules'), { recursive: true });
    const user = tfjsNodeLine(cli(['backend', tree.file], tree.xdg).stdout);
    assert.equal(addonFolder(user), join(tree.userDir, 'node_modules'), user);
    assert.match(user, /per-user folder/);
    // Why it does not load, and what to do.
    assert.match(user, /native addon is missing .*layerwise backend install/);
  });

  test('nothing installed: the message names every folder looked in and the install command', () => {
    const tree = layout('none');
    const line = tfjsNodeLine(cli(['backend', tree.file], tree.xdg).stdout);
    assert.match(line, /not installed/);
    for (const folder of [join(tree.sub, 'node_modules'), join(tree.workspace, 'node_modules'), join(tree.userDir, 'node_modules')]) assert.ok(line.includes(folder), line);
    assert.match(line, /layerwise backend install/);
  });

  test('the upward search stops at the workspace root', () => {
    const tree = layout('root');
    placeTfjsNode(join(tree.above, 'node_modules'));
    const within = searchFolders({ from: tree.sub, root: tree.workspace, userDir: tree.userDir }).map((folder) => folder.nodeModules);
    assert.ok(within.includes(join(tree.workspace, 'node_modules')));
    assert.ok(!within.includes(join(tree.above, 'node_modules')), within.join('\n'));
    const result = loadNative('tfjs-node', { from: tree.sub, root: tree.workspace, userDir: tree.userDir });
    assert.ok('reason' in result && /not installed/.test(result.reason));
    // Without a root, as on the command line, the search climbs past it, as Node's does.
    assert.equal(findNative('tfjs-node', { from: tree.sub, userDir: tree.userDir }).found?.dir, join(tree.above, 'node_modules', '@tensorflow', 'tfjs-node'));
  });

  test('a package built for another TensorFlow.js is refused before it loads, naming both versions and the command', () => {
    const tree = layout('mismatch');
    const dir = placeTfjsNode(join(tree.setting, 'node_modules'), (json) => {
      json['version'] = '4.21.0';
      (json['dependencies'] as Record<string, string>)['@tensorflow/tfjs'] = '4.21.0';
    });
    const result = loadNative('tfjs-node', { folder: tree.setting, userDir: tree.userDir });
    assert.ok('reason' in result);
    assert.ok(result.reason.includes(`@tensorflow/tfjs-node 4.21.0 in ${dir} is built for TensorFlow.js 4.21.0, but Layerwise runs TensorFlow.js ${TFJS_VERSION}`), result.reason);
    assert.match(result.reason, /layerwise backend install/);
    assert.ok(!Object.keys(require.cache).some((path) => path.startsWith(dir)), 'a module of the refused package was loaded');
  });

});

describe('a run names its backend and the folders it tried', () => {
  before(() => {
    tfjsNodeInstall();
  });

  const events = (stdout: string): TrainerEvent[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as TrainerEvent);

  test('train --backend tfjs-node fails with the folder the package came from and why it does not load', () => {
    const tree = layout('train-native');
    placeTfjsNode(join(tree.setting, 'node_modules'));
    const run = cli(['train', tree.file, '--backend', 'tfjs-node', '--native-modules', tree.setting, '--json'], tree.xdg);
    assert.equal(run.status, 1);
    const failed = events(run.stdout).find((event) => event.type === 'failed');
    assert.ok(failed && failed.type === 'failed');
    assert.equal(addonFolder(failed.message), join(tree.setting, 'node_modules'), failed.message);
  });

  test('with auto, the started event names the backend, its version and folder, and why tfjs-node was skipped', () => {
    const tree = layout('train-auto');
    placeTfjsNode(join(tree.workspace, 'node_modules'));
    const run = cli(['train', tree.file, '--json'], tree.xdg);
    assert.equal(run.status, 0, run.stderr);
    const started = events(run.stdout).find((event): event is StartedEvent => event.type === 'started')!;
    assert.ok(started.backend === 'wasm' || started.backend === 'cpu');
    assert.equal(started.backendInfo?.version, TFJS_VERSION);
    assert.ok(started.backendInfo?.folder.includes('@tensorflow'), started.backendInfo?.folder);
    const skipped = started.skipped.find((attempt) => attempt.backend === 'tfjs-node')!;
    assert.equal(addonFolder(skipped.reason), join(tree.workspace, 'node_modules'), skipped.reason);
    // The first line a person reads says the same.
    const plain = cli(['train', tree.file], tree.xdg);
    const first = plain.stdout.split('\n')[0]!;
    assert.ok(first.includes(`on ${started.backend} ${TFJS_VERSION} from ${started.backendInfo!.folder}`), first);
  });

  test("the .vsix's self-contained trainer finds the package in the per-user folder", async () => {
    const tree = layout('standalone');
    placeTfjsNode(join(tree.userDir, 'node_modules'));
    const script = join(repoRoot, 'dist', 'standalone', 'trainer.js');
    const trainer = new TrainingProcess({ type: 'start', file: tree.file, backend: 'tfjs-node', native: { root: tree.workspace, userDir: tree.userDir } }, script);
    const { events: sent } = await trainer.done;
    const failed = sent.find((event) => event.type === 'failed');
    assert.ok(failed && failed.type === 'failed');
    assert.equal(addonFolder(failed.message), join(tree.userDir, 'node_modules'), failed.message);
    assert.match(failed.message, /per-user folder/);
  });
});
