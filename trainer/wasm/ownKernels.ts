/**
 * The trainer's own WebAssembly kernels (wasm/kernels.ts), instantiated on
 * the wasm backend's own memory so that they read and write its tensors in
 * place, and run on a pool of threads of their own.
 *
 * Why: XNNPACK, which the backend's matrix product calls, packs its right
 * operand on every call (the weights change every step), and that packing
 * cost more than the product itself at batch 32 (bench/profile.ts). These
 * kernels pack an 8-column panel at a time into a buffer that stays in the
 * first-level cache, and take transposed operands as they are.
 *
 * Threads: where the backend's memory is shared (its threaded build), the
 * product's rows or columns are split over the main thread and workers of
 * this module's own, which wait on an Atomics word. Only these kernels wake
 * them, not every elementwise kernel as the backend's pool does, so they pay
 * at small batches too. Each element of a result is computed by one thread
 * in one order whatever the timing, so a run is as repeatable as on one.
 *
 * Builds: relaxed SIMD (a fused multiply-add) where the runtime validates
 * it, after asking V8 for it where it is behind a flag (Node 20); plain
 * SIMD otherwise; none where the runtime has no SIMD, and the callers then
 * use the backend's own kernels.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNEL_BINARIES } from './binaries';

// The part of the WebAssembly API used here: TypeScript declares it only in the DOM library, which this project leaves out.
interface WasmMemory {
  buffer: ArrayBuffer | SharedArrayBuffer;
}
type WasmModule = object;
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
};

/** The module's exports (wasm/kernels.ts); pointers are byte offsets into the backend's heap. */
export interface KernelExports {
  gemmScratch(cols: number): number;
  gemm(
    a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
    i0: number, i1: number, j0: number, j1: number, scratch: number, bias: number, activation: number, alpha: number,
  ): void;
  adam(w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, start: number, end: number, beta1: number, beta2: number, step: number, scale: number, epsilon: number): void;
  columnSums(x: number, rows: number, cols: number, out: number, scale: number): void;
  binary(op: number, a: number, b: number, out: number, start: number, end: number, aLength: number, bLength: number): void;
  patches(
    x: number, cols: number, toInput: number, batch: number, inH: number, inW: number, inC: number, outH: number, outW: number,
    fH: number, fW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
  ): void;
  batchNorm(x: number, y: number, rows: number, channels: number, mean: number, variance: number, offset: number, scale: number, epsilon: number, perChannel: number): void;
  maxPoolGrad(
    x: number, dy: number, dx: number, batch: number, inH: number, inW: number, channels: number, outH: number, outW: number,
    fH: number, fW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, padTop: number, padLeft: number,
  ): void;
}

/** The functions a worker can be asked to run, by index. */
const TASKS = ['gemm', 'adam', 'binary'] as const;
export type TaskName = (typeof TASKS)[number];

/** Which build runs, for the `started` event. */
export type KernelBuild = 'relaxed-simd' | 'simd';

/**
 * Control words: the generation (a new task), the task, the workers still
 * running, a failure flag, and from READY one word per worker, 1 once it
 * has its instance of the module.
 */
const GENERATION = 0;
const TASK = 1;
const RUNNING = 2;
const FAILED = 3;
const READY = 4;
const CONTROL_WORDS = 16;
/** How long the first task waits for the workers to start before it runs on this thread alone. */
const START_TIMEOUT_MS = 10_000;
/** How long a task waits for a worker that has started before the run fails instead of hanging. */
const TASK_TIMEOUT_MS = 60_000;
/** Each thread's arguments: a row of this many doubles. */
const ARGS_PER_THREAD = 24;

export interface OwnKernels {
  readonly build: KernelBuild;
  /** Threads that run a split task: the main one and the workers. */
  readonly threads: number;
  readonly exports: KernelExports;
  /** Calls so far of each kernel, by name: how tests know these kernels ran and not the backend's. */
  readonly calls: Record<string, number>;
  /**
   * Runs `task` once per thread, with argsOf(t) as thread t's arguments
   * (thread 0 is this one), and returns when all have finished. Throws when
   * one of them failed.
   */
  parallel(task: TaskName, threads: number, argsOf: (thread: number) => readonly number[]): void;
  /** Resolves once every worker has started, or START_TIMEOUT_MS has passed (the tasks then run on this thread). */
  readonly ready: Promise<void>;
  /** A scratch buffer of at least `floats` floats for `thread`, in the backend's heap, kept for the next call. */
  scratch(thread: number, floats: number): number;
}

/** Per backend: its kernels, or why they do not run (then the backend's own kernels do). */
const attached = new WeakMap<BackendWasm, OwnKernels | string>();

/** Threads the next backend's kernels run on, set by the trainer's backend choice (./threads sizes the backend's own pool alike). */
let threadsWanted = 1;

export function setOwnKernelThreads(threads: number): void {
  threadsWanted = Math.max(1, Math.floor(threads));
}

/** The kernels on `backend`, made on first use; undefined where they cannot run. */
export function ownKernels(backend: BackendWasm): OwnKernels | undefined {
  let kernels = attached.get(backend);
  if (kernels === undefined) {
    kernels = attach(backend);
    attached.set(backend, kernels);
  }
  return typeof kernels === 'string' ? undefined : kernels;
}

/** Why the kernels do not run on `backend`, once they were asked for; undefined while they run or before. */
export function ownKernelsFailure(backend: BackendWasm): string | undefined {
  const kernels = attached.get(backend);
  return typeof kernels === 'string' ? kernels : undefined;
}

/** The build the runtime validates, found once a process (a backend's start and the thread policy both ask). */
let validated: { build: KernelBuild | undefined } | undefined;

/** The build the runtime validates: relaxed SIMD, asked for from V8 where it is behind a flag, else SIMD. */
function kernelBuild(): KernelBuild | undefined {
  validated ??= { build: validateBuild() };
  return validated.build;
}

function validateBuild(): KernelBuild | undefined {
  const relaxed = Buffer.from(KERNEL_BINARIES.relaxed, 'base64');
  if (WebAssembly.validate(relaxed)) return 'relaxed-simd';
  try {
    // Node 20's V8 has relaxed SIMD behind this flag; later ones have it on and ignore the flag.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // A runtime that refuses V8 flags runs the SIMD build.
  }
  if (WebAssembly.validate(relaxed)) return 'relaxed-simd';
  return WebAssembly.validate(Buffer.from(KERNEL_BINARIES.simd, 'base64')) ? 'simd' : undefined;
}

/** The Emscripten module's memory: exported by the single-threaded builds, given to the threaded one. */
function backendMemory(backend: BackendWasm): WasmMemory | undefined {
  const module = backend.wasm as unknown as { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  return module.wasmMemory ?? module.asm?.memory;
}

/** Whether the kernels will run on a wasm backend started now: not turned off, and the runtime has SIMD. */
export function ownKernelsExpected(): boolean {
  return !turnedOff() && kernelBuild() !== undefined;
}

function turnedOff(): boolean {
  return process.env['LAYERWISE_WASM_OWN_KERNELS'] === '0';
}

function attach(backend: BackendWasm): OwnKernels | string {
  if (turnedOff()) return 'turned off by LAYERWISE_WASM_OWN_KERNELS=0';
  const build = kernelBuild();
  if (!build) return 'this runtime has no WebAssembly SIMD';
  const memory = backendMemory(backend);
  if (!memory) return "the backend's memory was not found";
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const name = `${build === 'relaxed-simd' ? 'relaxed' : 'simd'}${shared ? 'Shared' : ''}` as keyof typeof KERNEL_BINARIES;
  let module: WasmModule;
  let exports: KernelExports;
  try {
    module = new WebAssembly.Module(Buffer.from(KERNEL_BINARIES[name], 'base64'));
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  } catch (error) {
    return `the kernels did not start: ${error instanceof Error ? error.message : String(error)}`;
  }
  const threads = shared ? threadsWanted : 1;
  return makeKernels(backend, build, exports, threads > 1 ? startPool(module, memory, threads - 1) : undefined);
}

interface Pool {
  control: Int32Array;
  args: Float64Array;
  workers: Worker[];
}

/** Workers that run the module's functions on the shared memory when the control word's generation changes. */
function startPool(module: WasmModule, memory: WasmMemory, count: number): Pool {
  const buffer = new SharedArrayBuffer(CONTROL_WORDS * 4 + (count + 1) * ARGS_PER_THREAD * 8);
  const control = new Int32Array(buffer, 0, CONTROL_WORDS);
  const args = new Float64Array(buffer, CONTROL_WORDS * 4);
  const workers: Worker[] = [];
  for (let index = 1; index <= count; index++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, buffer, index, tasks: TASKS, layout: { GENERATION, TASK, RUNNING, FAILED, READY, CONTROL_WORDS, ARGS_PER_THREAD } } });
    // The workers wait for work for ever: they must not keep the process alive.
    worker.unref();
    workers.push(worker);
  }
  return { control, args, workers };
}

/**
 * A worker's loop, as a script of its own (evaluated, so that a bundle needs
 * no file beside it): wait for a new generation, run the task with this
 * thread's row of arguments, count itself out, wake the main thread when last.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, buffer, index, tasks, layout } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.store(new Int32Array(buffer, 0, layout.CONTROL_WORDS), layout.READY + index, 1);
Atomics.notify(new Int32Array(buffer, 0, layout.CONTROL_WORDS), layout.READY + index);
require('node:worker_threads').parentPort.postMessage('ready');
const functions = tasks.map((name) => exports[name]);
const control = new Int32Array(buffer, 0, layout.CONTROL_WORDS);
const args = new Float64Array(buffer, layout.CONTROL_WORDS * 4);
// The generation the pool was made with: a task posted while this worker was starting is not missed.
let seen = 0;
for (;;) {
  Atomics.wait(control, layout.GENERATION, seen);
  seen = Atomics.load(control, layout.GENERATION);
  const row = index * layout.ARGS_PER_THREAD;
  const count = args[row];
  if (count >= 0) {
    try {
      functions[control[layout.TASK]](...args.subarray(row + 1, row + 1 + count));
    } catch (error) {
      Atomics.store(control, layout.FAILED, 1);
    }
  }
  if (Atomics.sub(control, layout.RUNNING, 1) === 1) Atomics.notify(control, layout.RUNNING);
}
`;

/**
 * Waits for every worker to have its instance, up to `timeoutMs`: a
 * worker that never starts (its thread refused, its instance failed) would
 * otherwise leave a task waiting for ever, with this thread blocked and
 * unable to hear of it.
 */
function workersStarted(pool: Pool, timeoutMs = START_TIMEOUT_MS): boolean {
  const deadline = Date.now() + timeoutMs;
  for (let index = 1; index <= pool.workers.length; index++) {
    while (Atomics.load(pool.control, READY + index) !== 1) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(pool.control, READY + index, 0, left);
    }
  }
  return true;
}

/** Resolves when every worker has said it started, or after START_TIMEOUT_MS, with the event loop free to hear them. */
function whenStarted(pool: Pool): Promise<void> {
  return new Promise((resolve) => {
    let waiting = pool.workers.length;
    const timer = setTimeout(resolve, START_TIMEOUT_MS);
    timer.unref();
    for (const worker of pool.workers) {
      const done = (): void => {
        if (--waiting === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      worker.once('message', done);
      // A worker that fails to start counts as answered: the first task finds it not ready and runs on this thread.
      worker.once('error', done);
    }
  });
}

/** The Emscripten module's allocator, which its declarations leave out. */
interface Allocator {
  _malloc(bytes: number): number;
  _free(offset: number): void;
}

function makeKernels(backend: BackendWasm, build: KernelBuild, exports: KernelExports, pool: Pool | undefined): OwnKernels {
  const heap = backend.wasm as unknown as Allocator;
  const scratches: { offset: number; floats: number }[] = [];
  const threads = pool ? pool.workers.length + 1 : 1;
  const calls: Record<string, number> = {};
  // Each call counted, on this thread; the workers run the exports as they are.
  const counted = Object.fromEntries(
    Object.entries(exports).map(([name, run]) => {
      calls[name] = 0;
      return [name, (...args: number[]): unknown => (calls[name]++, (run as (...values: number[]) => unknown)(...args))];
    }),
  ) as unknown as KernelExports;
  /** Whether every worker has started, once the first task asked; until then undefined. */
  let started: boolean | undefined;
  const ready = pool
    ? whenStarted(pool).then(() => {
        started ??= workersStarted(pool, 0);
      })
    : Promise.resolve();
  return {
    build,
    // The workers' threads count once they have started.
    get threads() {
      return started === false ? 1 : threads;
    },
    exports: counted,
    calls,
    ready,
    scratch(thread, floats) {
      const held = scratches[thread];
      if (held && held.floats >= floats) return held.offset;
      if (held) heap._free(held.offset);
      // Some room to grow into, so that a slightly larger call does not reallocate.
      const size = Math.ceil(floats * 1.25) + 64;
      const offset = heap._malloc(size * 4);
      scratches[thread] = { offset, floats: size };
      return offset;
    },
    parallel(task, wanted, argsOf) {
      const run = counted[task] as (...args: number[]) => void;
      const used = Math.min(wanted, threads);
      if (pool && started === undefined) started = workersStarted(pool);
      if (!pool || used <= 1 || !started) {
        // One after another here: each part with its own scratch, so the numbers are those of the threads.
        for (let t = 0; t < (started === false ? used : 1); t++) run(...argsOf(t));
        return;
      }
      const { control, args } = pool;
      // Every thread's arguments before any starts: argsOf may allocate scratch, which may grow the heap.
      const own = argsOf(0);
      for (let t = 1; t < threads; t++) {
        const row = t * ARGS_PER_THREAD;
        if (t >= used) {
          args[row] = -1;
          continue;
        }
        const values = argsOf(t);
        args[row] = values.length;
        args.set(values, row + 1);
      }
      Atomics.store(control, TASK, TASKS.indexOf(task));
      Atomics.store(control, FAILED, 0);
      Atomics.store(control, RUNNING, threads - 1);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      let failure: unknown;
      try {
        run(...own);
      } catch (error) {
        failure = error;
      }
      const deadline = Date.now() + TASK_TIMEOUT_MS;
      for (;;) {
        const running = Atomics.load(control, RUNNING);
        if (running === 0) break;
        if (Date.now() > deadline) throw new Error(`a worker thread of the trainer's wasm kernels did not finish the ${task} kernel in ${TASK_TIMEOUT_MS / 1000} s`);
        Atomics.wait(control, RUNNING, running, 1000);
      }
      if (failure) throw failure;
      if (Atomics.load(control, FAILED)) throw new Error(`the ${task} kernel failed on a worker thread`);
    },
  };
}
