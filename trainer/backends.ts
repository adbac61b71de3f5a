/**
 * Chooses the TensorFlow.js backend of a run: the fastest that loads, or the
 * one asked for. The native packages (`@tensorflow/tfjs-node-gpu`,
 * `@tensorflow/tfjs-node`) are not bundled: ./native finds them where the
 * user installed them, and they register tfjs's 'tensorflow' backend. The wasm backend
 * ships with the package; it gets the kernels of ./wasm and, in Node, the
 * threaded build (./wasm/threads). Its files come from the installed
 * package, or from WASM_BESIDE next to a bundle that runs without
 * node_modules (the VS Code extension's trainer, see scripts/bundle.mjs).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BACKENDS, type BackendAttempt, type BackendChoice, type BackendInfo, type BackendName, type NativeLocations, type WasmRuntime } from '../protocol/training';
import { nvidiaGpu } from './install';
import { loadNative, TFJS_VERSION } from './native';
import { installWasmKernels } from './wasm';
import { ownKernels, ownKernelsExpected, ownKernelsFailure, setOwnKernelThreads } from './wasm/ownKernels';
import { createThreadedBackend, THREADED_FILES } from './wasm/threads';

export interface BackendOptions {
  /**
   * The folder of the wasm binaries (`tfjs-backend-wasm*.wasm`) and, when it
   * holds them, of the threaded build's files; by default WASM_BESIDE next
   * to this script where it exists, else the installed package's folders.
   */
  wasmDir?: string;
  /**
   * Threads of the wasm backend, at most 8 (the worker pool's size): of the
   * trainer's own kernels and of the backend's pool alike; 1 runs the
   * package's single-threaded build. The first call that starts wasm fixes
   * them for the process.
   */
  wasmThreads?: number;
  /** The batch size the run trains with: without wasmThreads, it decides whether the backend's own pool runs threaded. */
  batchSize?: number;
  /** Where the native packages are looked for. */
  native?: NativeLocations;
}

export interface SelectedBackend {
  backend: BackendName;
  info: BackendInfo;
  /** The faster backends tried first, and why each did not load. */
  skipped: BackendAttempt[];
}

/** tfjs's name of each backend: both native packages register 'tensorflow'. */
const TFJS_NAMES: Record<BackendName, string> = { 'tfjs-node-gpu': 'tensorflow', 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/**
 * The folder of the wasm backend's files beside a bundle that runs without
 * node_modules: the binaries and the threaded build's files, all of the
 * package version that the bundle holds.
 */
const WASM_BESIDE = 'tfjs-backend-wasm';

/** The priority the wasm package registers its backend with. */
const WASM_PRIORITY = 2;
const MAX_WASM_THREADS = 8;

/**
 * The smallest batch at which the backend's own pool pays. Every one of its
 * kernels wakes the pool's workers, which costs tens of microseconds: on the
 * course MLP on two cores, two threads trained 25% faster at batch 128 and
 * 18% at 64, but 30% slower at 32, where the products are small and the
 * wake-ups many. The trainer's own kernels (./wasm/ownKernels) wake their
 * threads for the large passes only (products, elementwise arithmetic,
 * Adam's step), which pays from batch 32: the course MLP trained at
 * 2,069–2,120 samples/s with them on two threads and the backend's pool on
 * one, against 1,855–2,003 all on one, in the same run. Smaller batches,
 * which the course trains on toy data, stay on the single-threaded build.
 * Where they run, the backend's pool stays on one thread at every batch:
 * its workers spin after each of its kernels, on the cores the trainer's
 * threads need (three rounds each: the course MLP at batch 128, 3,044–3,850
 * samples/s against 2,608–2,875 with the pool on two; the digits CNN,
 * 538–596 against 494–504).
 */
const THREADED_MIN_BATCH = 64;
const THREADED_KERNELS_MIN_BATCH = 32;

/**
 * Threads by default: the trainer's kernels on the logical cores from batch
 * THREADED_KERNELS_MIN_BATCH, and the backend's pool on one; where those
 * kernels cannot run, the backend's pool on the cores from THREADED_MIN_BATCH.
 */
function defaultWasmThreads(batchSize: number | undefined): { kernels: number; backend: number } {
  const cores = Math.min(availableParallelism(), MAX_WASM_THREADS);
  const from = (min: number): number => (batchSize !== undefined && batchSize >= min ? cores : 1);
  if (ownKernelsExpected()) return { kernels: from(THREADED_KERNELS_MIN_BATCH), backend: 1 };
  return { kernels: from(THREADED_MIN_BATCH), backend: from(THREADED_MIN_BATCH) };
}

/**
 * Makes `choice` tfjs's backend, or with 'auto' the first of BACKENDS that
 * loads. A backend asked for by name that cannot load throws, with the reason.
 */
export async function selectBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<SelectedBackend> {
  const skipped: BackendAttempt[] = [];
  for (const backend of choice === 'auto' ? BACKENDS : [choice]) {
    const started = await start(backend, options);
    if (typeof started === 'object') {
      await tf.ready();
      return { backend, info: started, skipped };
    }
    const reason = started;
    if (choice !== 'auto') throw new Error(`The ${backend} backend cannot be used: ${reason}`);
    skipped.push({ backend, reason });
  }
  throw new Error(`No TensorFlow.js backend loads: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** Threads of the wasm backend once it runs. */
export function wasmThreadCount(): number {
  return getThreadsCount();
}

/** Makes `backend` tfjs's backend: what it is, or the reason when it cannot. */
async function start(backend: BackendName, options: BackendOptions): Promise<BackendInfo | string> {
  let info: BackendInfo;
  if (backend === 'tfjs-node-gpu' || backend === 'tfjs-node') {
    const native = loadNative(backend, options.native ?? {});
    if ('reason' in native) return native.reason;
    const { found } = native;
    info = { version: found.version, folder: found.dir, source: found.source };
    const device = backend === 'tfjs-node-gpu' ? await nvidiaGpu() : undefined;
    if (device) info.device = device;
  } else {
    const folders = backend === 'wasm' ? prepareWasm(options) : undefined;
    if (typeof folders === 'string') return folders;
    info = { version: TFJS_VERSION, folder: folders?.binaries ?? tfjsFolder() };
  }
  try {
    if (await tf.setBackend(TFJS_NAMES[backend])) {
      if (backend === 'wasm') info.wasm = { ...(startedWasm ?? (await packagedBuild())), threads: getThreadsCount(), ...(await kernelsInfo()) };
      return info;
    }
  } catch (error) {
    return firstLine(error);
  }
  return backend === 'wasm' && wasmFailure ? wasmFailure : 'its backend did not start (tfjs printed why above)';
}

/** The trainer's own kernels on the wasm backend now: their build and threads, or why they do not run. */
async function kernelsInfo(): Promise<Pick<WasmRuntime, 'kernels' | 'kernelsMissing'>> {
  const backend = tf.backend() as BackendWasm;
  const kernels = ownKernels(backend);
  if (kernels) {
    // Their workers start while the event loop runs, before the first task blocks this thread waiting for them.
    await kernels.ready;
    return { kernels: { build: kernels.build, threads: kernels.threads } };
  }
  return { kernelsMissing: ownKernelsFailure(backend) ?? 'they did not start' };
}

/** Where the trainer's TensorFlow.js is: its package's folder, or the trainer's own file when it is bundled in. */
function tfjsFolder(): string {
  try {
    return dirname(require.resolve('@tensorflow/tfjs/package.json'));
  } catch {
    return __filename;
  }
}



/** The folders the wasm backend was prepared with, once it was. */
let preparedFolders: WasmFolders | undefined;
/** Why the last start of the wasm backend failed. */
let wasmFailure: string | undefined;
/** The build the wasm backend started with, and why it fell back, once it started. */
let startedWasm: Omit<WasmRuntime, 'threads'> | undefined;

/**
 * The build the package's own start picks: its threaded build where the
 * runtime has threads (not Node's, by its check), else SIMD where it has
 * SIMD, else the plain build.
 */
async function packagedBuild(): Promise<Omit<WasmRuntime, 'threads'>> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return { build: simd && threads ? 'threaded-simd' : simd ? 'simd' : 'plain' };
}

/**
 * Registers the wasm kernels, and once per process replaces the package's
 * backend factory by one that starts the threaded build and falls back to
 * the package's own single-threaded start. Returns its folders, or why wasm cannot start.
 */
function prepareWasm(options: BackendOptions): WasmFolders | string {
  installWasmKernels();
  // Not tf.findBackend, which would start the package's backend.
  if (preparedFolders || 'wasm' in tf.engine().registry) return preparedFolders ?? { binaries: tfjsFolder() };
  const folders = wasmFolders(options.wasmDir);
  if (!folders) return 'its .wasm files were not found: @tensorflow/tfjs-backend-wasm is not in node_modules, and no folder of them was given';
  const { binaries, threaded } = folders;
  // A prefix, to which tfjs appends the file name: an absolute path, so that it holds from out/ and from a bundle in dist/.
  setWasmPaths(binaries.endsWith(sep) ? binaries : binaries + sep);
  const given = options.wasmThreads === undefined ? undefined : Math.min(options.wasmThreads, MAX_WASM_THREADS);
  const { kernels: threads, backend: backendThreads } = given === undefined ? defaultWasmThreads(options.batchSize) : { kernels: given, backend: given };
  setOwnKernelThreads(threads);
  const packaged = tf.findBackendFactory('wasm');
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      wasmFailure = undefined;
      let fallback: string | undefined;
      if (threads > 1 && !threaded) fallback = `${threads} threads asked for, but the threaded build's files are not there`;
      else if (threads > 1 && !threadsAvailable()) fallback = `${threads} threads asked for, but this runtime has no SharedArrayBuffer`;
      else if (threads > 1) {
        try {
          const backend = await createThreadedBackend(threaded!, backendThreads);
          startedWasm = { build: 'threaded-simd' };
          return backend;
        } catch (error) {
          // The single-threaded build below is the package's own start: slower, but the same kernels.
          fallback = `${threads} threads asked for, but the threaded build did not start: ${firstLine(error)}`;
        }
      }
      try {
        const backend = await packaged();
        startedWasm = { ...(await packagedBuild()), ...(fallback ? { fallback } : {}) };
        return backend;
      } catch (error) {
        wasmFailure = firstLine(error);
        throw error;
      }
    },
    WASM_PRIORITY,
  );
  preparedFolders = folders;
  return folders;
}

/**
 * Where the wasm backend's files are: the folder of its binaries, and the
 * folder of the threaded build's files when there is one. `wasmDir`, or
 * WASM_BESIDE next to this script, come before the installed package.
 */
interface WasmFolders {
  binaries: string;
  threaded?: string;
}

function wasmFolders(wasmDir: string | undefined): WasmFolders | undefined {
  const beside = join(__dirname, WASM_BESIDE);
  const given = wasmDir || (existsSync(join(beside, 'tfjs-backend-wasm.wasm')) ? beside : undefined);
  if (given && hasThreadedBuild(given)) return { binaries: given, threaded: given };
  const packageDir = wasmPackageDir();
  const threaded = packageDir && join(packageDir, 'wasm-out');
  if (given) return { binaries: given, threaded };
  return packageDir ? { binaries: join(packageDir, 'dist'), threaded } : undefined;
}

/** Whether the runtime can run the threaded build: memory shared between threads (Node's worker threads are always there). */
function threadsAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

function hasThreadedBuild(dir: string): boolean {
  return THREADED_FILES.every((file) => existsSync(join(dir, file)));
}

/** The installed wasm package's folder, or undefined in a bundle shipped without node_modules. */
function wasmPackageDir(): string | undefined {
  try {
    return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  } catch {
    return undefined;
  }
}

/** The first line of an error's message; Emscripten rejects with plain `{ message }` objects. */
function firstLine(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return (typeof message === 'string' ? message : String(error)).split('\n')[0]!.trim();
}
