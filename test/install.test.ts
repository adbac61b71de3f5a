/**
 * `layerwise backend install` against the real npm registry. Here the
 * registry is reachable but libtensorflow's download is not, so the install
 * fails: the message says so with npm's last lines, nothing half-installed
 * is left, and the per-user folder is as it was; Ctrl-C mid-install does
 * the same; without npm the command says what to install.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TFJS_VERSION } from '../trainer/native';
import { cliPath } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-install-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A cache folder whose per-user folder already holds something, to show that a failed install leaves it alone. */
function userFolder(name: string): { xdg: string; userDir: string; marker: string } {
  const xdg = join(scratch, name);
  const userDir = join(xdg, 'layerwise', 'native');
  mkdirSync(userDir, { recursive: true });
  const marker = join(userDir, 'earlier-install.txt');
  writeFileSync(marker, 'kept');
  return { xdg, userDir, marker };
}

function assertAsItWas(folder: { userDir: string; marker: string }): void {
  assert.equal(readFileSync(folder.marker, 'utf8'), 'kept');
  assert.deepEqual(readdirSync(folder.userDir), ['earlier-install.txt']);
  // No staging folder is left beside it.
  assert.deepEqual(readdirSync(dirname(folder.userDir)), ['native']);
}

describe('layerwise backend install', () => {
  test('a failed install ends with why and npm’s last lines, and leaves the per-user folder as it was', () => {
    const folder = userFolder('fails');
    const run = spawnSync(process.execPath, [cliPath, 'backend', 'install'], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, XDG_CACHE_HOME: folder.xdg } });
    assert.equal(run.status, 1, run.stderr);
    assert.ok(run.stderr.includes(`npm could not install @tensorflow/tfjs-node@${TFJS_VERSION} (exit code`), run.stderr);
    assert.ok(run.stderr.includes(`${folder.userDir} is as it was`), run.stderr);
    assert.match(run.stderr, /its installer could not download libtensorflow from \S+/);
    assert.match(run.stderr, /npm's last lines:\n(npm .*\n?){3,}/);
    assertAsItWas(folder);
  });

  test('Ctrl-C mid-install cancels it and leaves the per-user folder as it was', async () => {
    const folder = userFolder('cancelled');
    const child = spawn(process.execPath, [cliPath, 'backend', 'install'], { env: { ...process.env, XDG_CACHE_HOME: folder.xdg }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const installing = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(': installing ')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await installing;
    // npm is resolving and fetching by now; its staging folder exists.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(readdirSync(dirname(folder.userDir)).some((name) => name.includes('.installing-')), 'no staging folder during the install');
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /was cancelled; .* is as it was/);
    assertAsItWas(folder);
  });

  test('without npm on PATH it says what to install', () => {
    const folder = userFolder('no-npm');
    const run = spawnSync(process.execPath, [cliPath, 'backend', 'install'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_CACHE_HOME: folder.xdg, PATH: join(scratch, 'empty-path') } });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /npm was not found on PATH: install Node\.js with npm/);
    assert.ok(!existsSync(join(folder.userDir, 'node_modules')));
    assertAsItWas(folder);
  });
});
