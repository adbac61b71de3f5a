/**
 * One bench measurement in a process of its own (a process starts its wasm
 * backend once, and a fresh heap keeps the runs apart): `script` is forked,
 * sent `job`, and its one message back is the result. `ownKernelsOff` runs
 * it on the backend's own kernels (LAYERWISE_WASM_OWN_KERNELS=0), the
 * reference for the trainer's. stderr is kept for failures only: tfjs
 * prints advice there (install tfjs-node) that is no part of the figures.
 */
import { fork } from 'node:child_process';

export function inChild<R>(script: string, job: object, ownKernelsOff = false): Promise<R> {
  return new Promise((resolvePromise, reject) => {
    const env = ownKernelsOff ? { ...process.env, LAYERWISE_WASM_OWN_KERNELS: '0' } : process.env;
    const child = fork(script, { env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let result: R | undefined;
    child.on('message', (message) => (result = message as R));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (result && code === 0) resolvePromise(result);
      else reject(new Error(`${JSON.stringify(job)} failed (exit ${code}):\n${stderr.trim()}`));
    });
    child.send(job);
  });
}

/** In the forked script: runs `run` on the job it is sent and sends back its result. */
export function serveJob<J, R>(run: (job: J) => Promise<R>): void {
  process.once('message', (job) => {
    run(job as J).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
