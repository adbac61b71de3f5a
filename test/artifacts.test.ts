/**
 * Run folders and the trainer's file failures: a run folder is claimed
 * atomically, however many runs start in the same millisecond, and every
 * failure to read or write a file names the file and says what is wrong.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createRunFolder, makeFolders, writeAtomic } from '../trainer/artifacts';
import { fileError } from '../trainer/fileErrors';
import { cliPath, projectExamples, repoRoot, scratchFolders } from './support';

const scratch = scratchFolders('artifacts');

/**
 * `count` threads, each claiming a run folder for the same model and the
 * same start time, released together by a barrier so that their claims
 * overlap as runs started in the same millisecond would.
 */
async function claimTogether(runsDir: string, count: number, startedAt: Date): Promise<string[]> {
  const barrier = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { createRunFolder } = require(workerData.artifacts);
    const barrier = workerData.barrier;
    Atomics.add(barrier, 0, 1);
    Atomics.notify(barrier, 0);
    // Everyone waits until all are ready, then claims at once.
    while (Atomics.load(barrier, 0) < workerData.count) Atomics.wait(barrier, 0, Atomics.load(barrier, 0), 50);
    parentPort.postMessage(createRunFolder(workerData.runsDir, 'M', new Date(workerData.startedAt)));
  `;
  const artifacts = join(repoRoot, 'out', 'trainer', 'artifacts.js');
  const workers = Array.from({ length: count }, () => new Worker(code, { eval: true, workerData: { artifacts, barrier, count, runsDir, startedAt: startedAt.getTime() } }));
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<string>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
}

describe('run folders', () => {
  it('runs started together in the same millisecond each get a folder of their own', async () => {
    const runsDir = scratch();
    // Several rounds, each at a new instant: a check-then-create claim loses at least one of these races.
    for (let round = 0; round < 5; round++) {
      const startedAt = new Date(Date.UTC(2024, 0, 1, 12, 0, round));
      const dirs = await claimTogether(runsDir, 20, startedAt);
      assert.equal(new Set(dirs).size, 20, `round ${round}: ${dirs.length - new Set(dirs).size} claims shared a folder`);
      for (const dir of dirs) assert.ok(statSync(dir).isDirectory());
      const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
      const made = readdirSync(join(runsDir, 'M')).filter((name) => name.startsWith(stamp));
      assert.equal(made.length, 20);
      // The suffixes are the first free ones: the stamp alone, then -2 … -20.
      assert.deepEqual(made.sort(), [stamp, ...Array.from({ length: 19 }, (_, i) => `${stamp}-${i + 2}`)].sort());
    }
  });

  it('a folder that already exists is skipped, never reused', () => {
    const runsDir = scratch();
    const startedAt = new Date(Date.UTC(2024, 5, 1));
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    mkdirSync(join(runsDir, 'M', stamp), { recursive: true });
    mkdirSync(join(runsDir, 'M', `${stamp}-2`));
    assert.equal(createRunFolder(runsDir, 'M', startedAt), join(runsDir, 'M', `${stamp}-3`));
    assert.equal(createRunFolder(runsDir, 'M', startedAt), join(runsDir, 'M', `${stamp}-4`));
    assert.equal(createRunFolder(runsDir, 'N', startedAt), join(runsDir, 'N', stamp));
    // A file where a run folder would go is skipped as well.
    writeFileSync(join(runsDir, 'N', `${stamp}-2`), '');
    assert.equal(createRunFolder(runsDir, 'N', startedAt), join(runsDir, 'N', `${stamp}-3`));
  });
});

/** The error `action` throws: a real one, from the operating system. */
function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('the action did not fail');
}

describe('file failures in words', () => {
  it('a full device names the file; Node names neither', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, () => {
    const error = errorOf(() => writeFileSync('/dev/full', 'x'));
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.equal(fileError(error, 'cannot write', '/dev/full').message, 'cannot write /dev/full: no space left on the device');
  });

  it('a folder where a file belongs, a file where a folder belongs, and a missing folder say so', () => {
    const dir = scratch();
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    assert.equal(fileError(errorOf(() => readFileSync(folder)), 'cannot read', folder).message, `cannot read ${folder}: it is a directory, not a file`);
    const file = join(dir, 'file');
    writeFileSync(file, '');
    // Node's recursive mkdir reports this as ENOENT or ENOTDIR, depending on the version.
    const deep = join(file, 'a', 'b');
    assert.equal(fileError(errorOf(() => mkdirSync(deep, { recursive: true })), 'cannot create', deep).message, `cannot create ${deep}: ${file} is a file, not a folder`);
    const inside = join(file, 'x.csv');
    assert.equal(fileError(errorOf(() => readFileSync(inside)), 'cannot read', inside).message, `cannot read ${inside}: ${file} is a file, not a folder`);
    const missing = join(dir, 'gone', 'deeper', 'x.json');
    assert.equal(fileError(errorOf(() => writeFileSync(missing, '')), 'cannot write', missing).message, `cannot write ${missing}: the folder ${join(dir, 'gone')} does not exist`);
    assert.equal(fileError(errorOf(() => readFileSync(join(dir, 'absent'))), 'cannot read', join(dir, 'absent')).message, `cannot read ${join(dir, 'absent')}: no such file or folder`);
  });

  it('an atomic write and a run folder under a regular file name the file in the way', () => {
    const dir = scratch();
    const file = join(dir, 'runs');
    writeFileSync(file, '');
    assert.throws(() => writeAtomic(join(file, 'history.json'), '{}'), { message: `cannot write ${join(file, 'history.json')}: ${file} is a file, not a folder` });
    const startedAt = new Date(Date.UTC(2024, 0, 2));
    const leaf = join(file, 'M', startedAt.toISOString().replace(/[:.]/g, '-'));
    assert.throws(() => createRunFolder(file, 'M', startedAt), { message: `cannot create the run folder ${leaf}: ${file} is a file, not a folder` });
    // The model's own folder a file.
    mkdirSync(join(dir, 'runs2'));
    writeFileSync(join(dir, 'runs2', 'M'), '');
    const leaf2 = join(dir, 'runs2', 'M', startedAt.toISOString().replace(/[:.]/g, '-'));
    assert.throws(() => createRunFolder(join(dir, 'runs2'), 'M', startedAt), { message: `cannot create the run folder ${leaf2}: ${join(dir, 'runs2', 'M')} is a file, not a folder` });
    assert.throws(() => makeFolders(file), { message: /EEXIST/ });
    assert.equal(fileError(errorOf(() => makeFolders(file)), 'cannot create the folder', file).message, `cannot create the folder ${file}: it is a file, not a folder`);
  });
});

/** A copy of examples/xor.net in a folder of its own, which anyone may read. */
function xorProject(): { dir: string; file: string } {
  const dir = scratch();
  chmodSync(dir, 0o755);
  const file = join(dir, 'xor.net');
  writeFileSync(file, readFileSync(join(projectExamples, 'xor.net'), 'utf8'));
  return { dir, file };
}

interface TrainResult {
  status: number | null;
  stderr: string;
  events: { type: string; [key: string]: unknown }[];
}

function train(file: string, options: SpawnSyncOptions = {}, epochs = '5'): TrainResult {
  const result = spawnSync(process.execPath, [cliPath, 'train', file, '--model', 'XorMLP', '--epochs', epochs, '--backend', 'cpu', '--json'], { encoding: 'utf8', ...options });
  const stdout = String(result.stdout);
  return { status: result.status, stderr: String(result.stderr), events: stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)) };
}

function failure(result: TrainResult): { message: string; runDir?: string } {
  const failed = result.events.filter((event) => event.type === 'failed');
  assert.equal(failed.length, 1, result.stderr);
  assert.equal(result.status, 1);
  return failed[0] as unknown as { message: string; runDir?: string };
}

/**
 * Runs `script` in a mount namespace of its own, where it may mount a tmpfs
 * without touching the machine's mounts; undefined where the sandbox allows
 * no such namespace (an unprivileged container).
 */
function inMountNamespace(script: string, ...args: string[]): { status: number | null; stderr: string } | undefined {
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs "$1"', 'sh', scratch()], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  const result = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', ...args], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

const mountable = inMountNamespace('true') !== undefined;
/** Root may write anywhere, whatever the modes say: a refused write needs another user. */
const unprivileged: SpawnSyncOptions = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

describe('a run whose files cannot be written ends with a message that names the file and the cause', () => {
  it('a run folder under a regular file', () => {
    const { dir, file } = xorProject();
    writeFileSync(join(dir, '.layerwise'), 'not a folder');
    const failed = failure(train(file));
    assert.match(failed.message, new RegExp(`^cannot create the run folder ${escape(join(dir, '.layerwise', 'runs', 'XorMLP'))}/[^ ]+: ${escape(join(dir, '.layerwise'))} is a file, not a folder$`));
  });

  it('a run folder the user may not write', { skip: process.platform === 'win32' && 'no modes' }, () => {
    const { dir, file } = xorProject();
    mkdirSync(join(dir, '.layerwise'), { mode: 0o555 });
    chmodSync(join(dir, '.layerwise'), 0o555);
    const failed = failure(train(file, unprivileged));
    assert.match(failed.message, new RegExp(`^cannot create the run folder ${escape(join(dir, '.layerwise', 'runs', 'XorMLP'))}/[^ ]+: permission denied in ${escape(join(dir, '.layerwise'))}$`));
  });

  it('a run folder on a read-only file system', { skip: !mountable && 'no mount namespaces in this sandbox' }, () => {
    const { dir, file } = xorProject();
    mkdirSync(join(dir, '.layerwise'));
    const script = 'mount -t tmpfs -o size=64k tmpfs "$1/.layerwise" && mount -o remount,ro "$1/.layerwise" && "$2" "$3" train "$4" --model XorMLP --epochs 5 --backend cpu --json > "$1/out.jsonl"';
    const result = inMountNamespace(script, dir, process.execPath, cliPath, file)!;
    assert.equal(result.status, 1, result.stderr);
    const events = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const failed = events.filter((event) => event.type === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0].message, new RegExp(`^cannot create the run folder ${escape(join(dir, '.layerwise', 'runs', 'XorMLP'))}/[^ ]+: ${escape(join(dir, '.layerwise'))} is on a read-only file system$`));
  });

  it('a disk that fills up mid-run: the failure names the file, and the finished epochs stay', { skip: !mountable && 'no mount namespaces in this sandbox' }, () => {
    const { dir, file } = xorProject();
    mkdirSync(join(dir, '.layerwise'));
    // The history grows every epoch, and is written beside the old one before it replaces it: 64 KiB fill up in a few hundred epochs.
    const script =
      'mount -t tmpfs -o size=64k tmpfs "$1/.layerwise" && "$2" "$3" train "$4" --model XorMLP --epochs 100000 --backend cpu --json > "$1/out.jsonl"; code=$?; cp -r "$1/.layerwise" "$1/kept"; exit $code';
    const result = inMountNamespace(script, dir, process.execPath, cliPath, file)!;
    assert.equal(result.status, 1, result.stderr);
    const events = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const failed = events.filter((event) => event.type === 'failed');
    assert.equal(failed.length, 1);
    const runDir = events.find((event) => event.type === 'started').runDir as string;
    assert.equal(failed[0].message, `cannot write ${join(runDir, 'history.json')}: no space left on the device`);
    assert.equal(failed[0].runDir, runDir);
    const told = events.filter((event) => event.type === 'epoch').length;
    assert.ok(told > 0);
    const kept = JSON.parse(readFileSync(join(dir, 'kept', runDir.slice(join(dir, '.layerwise').length), 'history.json'), 'utf8'));
    assert.equal(kept.members[0].epochs.length, told);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
