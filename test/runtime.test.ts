/**
 * The Node.js that runs the trainer (`layerwise.training.runtime`): the
 * system's `node` on PATH, or a path; a missing or too old one is a message
 * before any run, never a hang.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { probeTrainer, resolveRuntime, TrainingProcess } from '../trainer/process';
import { repoRoot } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-runtime-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const trainer = join(repoRoot, 'out', 'trainer', 'child.js');

/** An executable script: `body` in sh. */
function script(name: string, body: string): string {
  const path = join(scratch, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('the trainer runtime', () => {
  test('editor (the default) is the running executable', async () => {
    assert.deepEqual(await resolveRuntime(undefined), {});
    assert.deepEqual(await resolveRuntime('editor'), {});
  });

  test("node is the system's node on PATH, and the trainer runs on it", async () => {
    const runtime = await resolveRuntime('node');
    assert.deepEqual(runtime, { execPath: 'node' });
    const probed = await probeTrainer({ userDir: scratch }, { script: trainer, execPath: 'node' });
    assert.match(probed.node, /^\d+\.\d+\.\d+$/);
    assert.ok(probed.backends.some((report) => report.info), JSON.stringify(probed.backends));
  });

  test('a path names the executable that starts the trainer', async () => {
    const marker = join(scratch, 'started-through-wrapper');
    const wrapper = script('node-wrapper', `touch '${marker}'\nexec '${process.execPath}' "$@"`);
    assert.deepEqual(await resolveRuntime(wrapper), { execPath: wrapper });
    rmSync(marker, { force: true });
    const file = join(scratch, 'xor.net');
    writeFileSync(file, 'model Xor {\n  input x: [2]\n  x -> Dense(4, activation=tanh) -> Dense(1, activation=sigmoid)\n}\n\ntrain Xor {\n  data = xor\n  loss = binary_crossentropy\n  epochs = 2\n}\n');
    const run = new TrainingProcess({ type: 'start', file, backend: 'cpu', runsDir: join(scratch, 'runs') }, { script: trainer, execPath: wrapper });
    const { events } = await run.done;
    assert.ok(events.some((event) => event.type === 'finished'), JSON.stringify(events.filter((event) => event.type === 'failed')));
    assert.ok(existsSync(marker), 'the trainer was not started through the runtime');
  });

  test('a missing executable is a message that names the setting', async () => {
    const runtime = await resolveRuntime(join(scratch, 'no-such-node'));
    assert.ok('problem' in runtime);
    assert.match(runtime.problem, /^layerwise\.training\.runtime: '.*no-such-node' was not found; set it to editor, node, or the path of a Node\.js 20\.19 or newer$/);
  });

  test('a Node.js older than the trainer needs is refused, with both versions', async () => {
    const old = script('old-node', 'echo 16.20.2');
    const runtime = await resolveRuntime(old);
    assert.ok('problem' in runtime);
    assert.match(runtime.problem, /is Node\.js 16\.20\.2; the trainer needs 20\.19 or newer$/);
  });

  test('an executable that is not Node.js is named as such', async () => {
    const runtime = await resolveRuntime(script('not-node', 'echo hello; exit 3'));
    assert.ok('problem' in runtime);
    assert.match(runtime.problem, /is not a Node\.js \(it answered 'hello'\)/);
  });

  test('a runtime that cannot be started ends the run with a message, not a hang', async () => {
    const run = new TrainingProcess({ type: 'start', file: join(scratch, 'none.net') }, { script: trainer, execPath: join(scratch, 'gone-node') });
    const { events } = await run.done;
    const failed = events.find((event) => event.type === 'failed');
    assert.ok(failed && failed.type === 'failed' && /the trainer could not be started: .*ENOENT/.test(failed.message), JSON.stringify(events));
  });
});
