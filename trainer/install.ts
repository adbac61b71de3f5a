/**
 * Installing a native backend into the per-user folder, for
 * `layerwise backend install` and the editor's "Install Native Backend":
 * npm installs exactly the package built for the trainer's TensorFlow.js
 * into a new folder beside the per-user one, which replaces it only when
 * npm succeeded. A failed or cancelled install leaves the folder as it was.
 * Node and the protocol only: the VS Code client runs it too.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { NATIVE_PACKAGES, type NativeBackend } from '../protocol/training';

export interface InstallOptions {
  backend: NativeBackend;
  /** The TensorFlow.js release of the trainer, which the package must match. */
  tfjsVersion: string;
  /** The per-user folder: an npm prefix, whose node_modules the trainer looks in. */
  userDir: string;
  /** npm's output, as it comes. */
  onOutput?: (text: string) => void;
  /** Aborting ends npm and leaves the per-user folder as it was. */
  signal?: AbortSignal;
  /** The npm executable; `npm` on PATH by default. */
  npm?: string;
  /** npm's version, where the caller has already asked it (see `npmVersion`). */
  npmVersion?: string;
}

export type InstallResult = { ok: true; packageDir: string; packages: string[] } | { ok: false; cancelled?: boolean; message: string };

/** The lines of npm's output kept for a failure's message. */
const TAIL_LINES = 16;

const isWindows = process.platform === 'win32';

let gpuName: Promise<string | undefined> | undefined;
/**
 * The first NVIDIA GPU as its driver names it (nvidia-smi), asked once per
 * process and without blocking it (the editor's extension host calls this);
 * undefined without one.
 */
export function nvidiaGpu(): Promise<string | undefined> {
  gpuName ??= new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000 }, (error, stdout) => {
      resolve((!error && stdout.split('\n')[0]?.trim()) || undefined);
    });
  });
  return gpuName;
}

/** npm's version, or why it cannot run. */
export function npmVersion(npm = defaultNpm()): Promise<{ version: string } | { problem: string }> {
  return new Promise((resolve) => {
    execFile(npm, ['--version'], { encoding: 'utf8', timeout: 30_000, shell: isWindows }, (error, stdout) => {
      if (error) resolve({ problem: "npm was not found on PATH: install Node.js with npm (from nodejs.org, or your system's nodejs and npm packages), then try again" });
      else resolve({ version: stdout.trim() });
    });
  });
}

function defaultNpm(): string {
  return isWindows ? 'npm.cmd' : 'npm';
}

/** The native packages the per-user folder holds now: an install keeps them, at the trainer's version. */
function installedPackages(userDir: string): string[] {
  return Object.values(NATIVE_PACKAGES).filter((name) => existsSync(join(userDir, 'node_modules', ...name.split('/'), 'package.json')));
}

/** Installs `backend`'s package (and keeps the other native one where it is installed) into the per-user folder. */
export async function installNative(options: InstallOptions): Promise<InstallResult> {
  const npm = options.npm ?? defaultNpm();
  const found = options.npmVersion !== undefined ? { version: options.npmVersion } : await npmVersion(npm);
  if ('problem' in found) return { ok: false, message: found.problem };
  const wanted = NATIVE_PACKAGES[options.backend];
  const packages = [...new Set([...installedPackages(options.userDir), wanted])].map((name) => `${name}@${options.tfjsVersion}`);
  mkdirSync(dirname(options.userDir), { recursive: true });
  const staging = join(dirname(options.userDir), `.${basename(options.userDir)}.installing-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  // A package.json of its own, so that npm installs here and does not look for a project above.
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'layerwise-native-backends', private: true, description: 'TensorFlow.js native backends for Layerwise' }, null, 2));
  options.onOutput?.(`npm ${found.version}: installing ${packages.join(' ')} into ${options.userDir}\n`);
  const outcome = await runNpm(npm, ['install', '--no-audit', '--no-fund', '--save-exact', '--prefix', staging, ...packages], options);
  if (outcome.code !== 0 || !existsSync(join(staging, 'node_modules', ...wanted.split('/'), 'package.json'))) {
    rmSync(staging, { recursive: true, force: true });
    if (outcome.cancelled) return { ok: false, cancelled: true, message: `the install of ${wanted} was cancelled; ${options.userDir} is as it was` };
    const why = downloadFailure(outcome.tail);
    return {
      ok: false,
      message: `npm could not install ${packages.join(' ')} (${outcome.code === null ? 'it was ended' : `exit code ${outcome.code}`})${why ? `: ${why}` : ''}; ${options.userDir} is as it was. npm's last lines:\n${outcome.tail.join('\n')}`,
    };
  }
  replace(options.userDir, staging);
  return { ok: true, packageDir: join(options.userDir, 'node_modules', ...wanted.split('/')), packages };
}

/** The package's installer downloads libtensorflow: where that failed, say so in words. */
function downloadFailure(tail: string[]): string | undefined {
  const text = tail.join('\n');
  const host = /hostname: '([^']+)'/.exec(text)?.[1];
  const code = /code: '(E[A-Z]+)'/.exec(text)?.[1];
  return host ? `its installer could not download libtensorflow from ${host}${code ? ` (${code})` : ''}` : undefined;
}

/** Puts the staged folder where the per-user one is, the old one out of the way first, then removed. */
function replace(userDir: string, staging: string): void {
  const old = `${staging}.old`;
  if (existsSync(userDir)) renameSync(userDir, old);
  renameSync(staging, userDir);
  rmSync(old, { recursive: true, force: true });
}

/** Runs npm in a process group of its own, so that a cancel ends the installer scripts it started too. */
function runNpm(npm: string, args: string[], options: InstallOptions): Promise<{ code: number | null; cancelled: boolean; tail: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(npm, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: !isWindows, shell: isWindows, env: { ...process.env, npm_config_update_notifier: 'false' } });
    const tail: string[] = [];
    let cancelled = false;
    const keep = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      options.onOutput?.(text);
      tail.push(...text.split(/\r?\n/).filter((line) => line.trim() !== ''));
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const cancel = (): void => {
      cancelled = true;
      try {
        if (isWindows) child.kill();
        else process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    child.on('error', (error) => {
      tail.push(error.message);
      resolve({ code: -1, cancelled, tail });
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', cancel);
      resolve({ code: cancelled ? null : code, cancelled, tail });
    });
  });
}
