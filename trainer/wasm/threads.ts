/**
 * The wasm package's multi-threaded SIMD build, started in Node. The package
 * itself runs single-threaded in Node: its feature check says no threads
 * there, it hands Emscripten the pthread worker as a Blob URL (Node's Worker
 * loads files only), and it sizes the pool at half the logical cores, which
 * is one thread on a two-core machine. Emscripten's own Node support works
 * once the worker script and the main script are files and the core count is
 * what we ask for; XNNPACK then splits each matrix product over the threads.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const NAME = 'tfjs-backend-wasm-threaded-simd';

/**
 * The threaded build's files, all in one folder: the package's `wasm-out/`,
 * or the copy beside a bundle that runs without node_modules.
 */
export const THREADED_FILES = [`${NAME}.js`, `${NAME}.worker.js`, `${NAME}.wasm`] as const;

// The part of the WebAssembly API used here: TypeScript declares it only in the DOM library, which this project leaves out.
type WasmModule = object;
interface WasmInstance {
  exports: object;
}
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
};

/** The Emscripten module, as far as it is used here and by BackendWasm. */
interface ThreadedModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: Worker[]; unusedWorkers: Worker[] };
}

interface FactoryConfig {
  locateFile(path: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(imports: Record<string, Record<string, unknown>>, receive: (instance: WasmInstance, module: WasmModule) => void): object;
}

/**
 * A wasm backend on `threads` threads, from `dir`, the folder of
 * THREADED_FILES (the Emscripten script, its worker and its binary).
 * Throws when the files are missing or the module does not start.
 */
export async function createThreadedBackend(dir: string, threads: number): Promise<BackendWasm> {
  const factoryPath = join(dir, THREADED_FILES[0]);
  // Loaded at run time from its folder, so a bundle does not inline it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(factoryPath) as (config: FactoryConfig) => Promise<ThreadedModule>;
  const compiled = await WebAssembly.compile(readFileSync(join(dir, THREADED_FILES[2])));
  const workerPath = writeWorkerScript(dir);
  const module = await factory({
    locateFile: (path) => (path.endsWith('.worker.js') ? workerPath : join(dir, path)),
    // Each worker evaluates this file to get the module's code.
    mainScriptUrlOrBlob: factoryPath,
    instantiateWasm(imports, receive) {
      // The C++ side takes half of this as its thread count, capped at the pool of 8 workers.
      imports['env']!['emscripten_num_logical_cores'] = () => 2 * threads;
      // Synchronous, so that a failure rejects the factory's promise instead of leaving it pending.
      const instance = new WebAssembly.Instance(compiled, imports);
      receive(instance, compiled);
      return instance.exports;
    },
  });
  (module as unknown as { tfjs: Record<string, unknown> }).tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  setThreadsCount(threads);
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  // The pool's workers wait for work for ever: they must not keep the process alive.
  for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) worker.unref();
  return backend;
}

/**
 * The pthread worker script, which the package ships only as a string, as a
 * file in the temporary folder (named by its content, so versions and
 * concurrent processes do not collide).
 */
function writeWorkerScript(dir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wasmWorkerContents } = require(join(dir, THREADED_FILES[1])) as { wasmWorkerContents: string };
  // The string came out of a template literal, which turned the script's `\n` escapes into newlines inside its string literals.
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const path = join(tmpdir(), `layerwise-${NAME}-${createHash('sha256').update(script).digest('hex').slice(0, 16)}.worker.js`);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}`;
    writeFileSync(partial, script);
    renameSync(partial, path);
  }
  return path;
}
