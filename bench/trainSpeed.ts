/**
 * Training speed. The course MLP (784-1024-512-256-24, ReLU, softmax
 * cross-entropy, Adam) trained with TensorFlow.js on the wasm backend
 * against the numpy loop of ../shared/bench/mlp_reference.py, on the same
 * amount of random data at the same batch sizes, in the same run; and the
 * digits CNN of ../shared/examples on wasm against the plain cpu backend;
 * and both against PyTorch on the CPU (../shared/bench/mlp_torch.py and
 * ./cnn_torch.py) where Debian's python3-torch is installed.
 *
 * Each TensorFlow.js measurement runs in a process of its own: a process
 * starts the wasm backend once, with the threads its batch size gets
 * (trainer/backends.ts), and a fresh heap keeps the runs apart.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../core';
import { selectBackend, wasmThreadCount } from '../trainer/backends';
import { buildModel } from '../trainer/buildModel';
import { FusedAdamOptimizer } from '../trainer/wasm/adam';
import { ownKernels } from '../trainer/wasm/ownKernels';
import '../trainer/layers';
import { repoRoot } from '../test/support';
import { inChild as runInChild, serveJob } from './childJob';

export interface TrainSpeedOptions {
  /** Batch sizes of the MLP runs. */
  batches?: number[];
  /** Samples timed per MLP run (mlp_reference.py's --samples). */
  mlpSamples?: number;
  /** Samples timed for the CNN on wasm. */
  cnnSamples?: number;
  /** Samples timed for the CNN on cpu: its Conv2DBackpropFilter is a scalar loop, some 30 s for a batch of 64 here. */
  cpuCnnSamples?: number;
  /** Threads of the wasm backend, instead of the default for each batch size. */
  wasmThreads?: number;
}

export interface MlpSpeed {
  batch: number;
  /** Samples per second of the numpy reference. */
  numpy: number;
  wasm: number;
  wasmThreads: number;
  /** wasm ÷ numpy. */
  ratio: number;
  /** Samples per second of PyTorch, where it runs. */
  torch?: number;
  /** Samples per second on the backend's own kernels, the trainer's turned off. */
  backendKernels: number;
}

export interface CnnSpeed {
  batch: number;
  wasm: number;
  wasmThreads: number;
  cpu: number;
  /** wasm ÷ cpu. */
  ratio: number;
  /** Samples per second of PyTorch, where it runs. */
  torch?: number;
  /** Samples per second on the backend's own kernels, the trainer's turned off. */
  backendKernels: number;
}

export interface TrainSpeed {
  mlp: MlpSpeed[];
  cnn: CnnSpeed;
  /** Why PyTorch was not run, when it was not. */
  torchSkipped?: string;
}

export const LAYERS = [784, 1024, 512, 256, 24];

/** The shared folder beside the repository, with the reference programs. */
export const shared = resolve(repoRoot, '..', 'shared');

export async function measureTrainSpeed(options: TrainSpeedOptions = {}): Promise<TrainSpeed> {
  const { batches = [32, 128], mlpSamples = 8192, cnnSamples = 1024, cpuCnnSamples = 64, wasmThreads } = options;
  const torchSkipped = torchMissing();
  const mlp: MlpSpeed[] = [];
  for (const batch of batches) {
    const numpy = numpyReference(batch, mlpSamples);
    const torch = torchSkipped ? undefined : torchReference(join(shared, 'bench', 'mlp_torch.py'), ['--layers', LAYERS.join(','), '--batch', String(batch), '--samples', String(mlpSamples)]);
    const wasm = await inChild({ kind: 'mlp', batch, samples: mlpSamples, wasmThreads });
    const backend = await inChild({ kind: 'mlp', batch, samples: mlpSamples, wasmThreads, backendKernels: true });
    mlp.push({ batch, numpy, wasm: wasm.samplesPerSecond, wasmThreads: wasm.threads, ratio: wasm.samplesPerSecond / numpy, torch, backendKernels: backend.samplesPerSecond });
  }
  const wasm = await inChild({ kind: 'cnn', backend: 'wasm', samples: cnnSamples, wasmThreads });
  const backendKernels = (await inChild({ kind: 'cnn', backend: 'wasm', samples: cnnSamples, wasmThreads, backendKernels: true })).samplesPerSecond;
  const cpu = await inChild({ kind: 'cnn', backend: 'cpu', samples: cpuCnnSamples });
  const torch = torchSkipped ? undefined : torchReference(join(repoRoot, 'bench', 'cnn_torch.py'), ['--batch', String(wasm.batch), '--samples', String(cnnSamples)]);
  const cnn = { batch: wasm.batch, wasm: wasm.samplesPerSecond, wasmThreads: wasm.threads, cpu: cpu.samplesPerSecond, ratio: wasm.samplesPerSecond / cpu.samplesPerSecond, torch, backendKernels };
  return { mlp, cnn, ...(torchSkipped ? { torchSkipped } : {}) };
}

/** The interpreter Debian's python3-torch installs into. */
const SYSTEM_PYTHON = '/usr/bin/python3';

/** Why PyTorch cannot run here, or undefined when it can. */
function torchMissing(): string | undefined {
  const run = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (run.error) return `${SYSTEM_PYTHON} cannot run: ${run.error.message}`;
  if (run.status !== 0) return `${SYSTEM_PYTHON} has no torch (apt-get install python3-torch libopenblas0-pthread)`;
  return undefined;
}

/** Samples per second of a PyTorch reference script, on two threads as the wasm runs. */
function torchReference(script: string, args: string[]): number {
  const run = spawnSync(SYSTEM_PYTHON, [script, ...args, '--threads', '2'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.error?.message ?? run.stderr}`);
  const line = run.stdout.trim().split('\n').pop()!;
  return (JSON.parse(line) as { samples_per_s: number }).samples_per_s;
}

function numpyReference(batch: number, samples: number): number {
  const script = join(shared, 'bench', 'mlp_reference.py');
  const run = spawnSync('python3', [script, '--layers', LAYERS.join(','), '--batch', String(batch), '--samples', String(samples)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.error?.message ?? run.stderr}`);
  const line = run.stdout.trim().split('\n').pop()!;
  return (JSON.parse(line) as { samples_per_s: number }).samples_per_s;
}

// ---------------------------------------------------------------------------
// TensorFlow.js runs, each in a child process

/** `backendKernels`: on the backend's own kernels, the trainer's turned off (LAYERWISE_WASM_OWN_KERNELS=0), as the reference for them. */
type Job = ({ kind: 'mlp'; batch: number; samples: number } | { kind: 'cnn'; backend: 'wasm' | 'cpu'; samples: number }) & { wasmThreads?: number; backendKernels?: boolean };

interface JobResult {
  samplesPerSecond: number;
  batch: number;
  threads: number;
}

function inChild(job: Job): Promise<JobResult> {
  return runInChild<JobResult>(__filename, job, job.backendKernels);
}

async function runJob(job: Job): Promise<JobResult> {
  if (job.kind === 'mlp') {
    await selectBackend('wasm', { batchSize: job.batch, wasmThreads: job.wasmThreads });
    const model = built(mlpSource(LAYERS));
    const samplesPerSecond = await timeFit(model, job.batch, job.samples, 2 * job.batch);
    return { samplesPerSecond, batch: job.batch, threads: trainingThreads() };
  }
  const text = readFileSync(join(shared, 'examples', 'digits_cnn.net'), 'utf8');
  const batch = analyze(text).trainBlocks[0]!.batchSize;
  await selectBackend(job.backend, { batchSize: batch, wasmThreads: job.wasmThreads });
  const model = built(text);
  // The cpu backend is warmed on a few samples only: a full batch there takes half a minute.
  const warmup = job.backend === 'cpu' ? 8 : 2 * batch;
  const samplesPerSecond = await timeFit(model, batch, job.samples, warmup);
  return { samplesPerSecond, batch, threads: job.backend === 'wasm' ? trainingThreads() : 1 };
}

/** The threads wasm trains on: the trainer's kernels', or the backend's pool's where they do not run. */
function trainingThreads(): number {
  return ownKernels(tf.backend() as BackendWasm)?.threads ?? wasmThreadCount();
}

export function mlpSource(layers: number[]): string {
  const hidden = layers.slice(1, -1).map((units) => `  Dense(${units}, activation=relu)`);
  return [`model CourseMLP {`, `  input [${layers[0]}]`, ...hidden, `  Dense(${layers[layers.length - 1]}, activation=softmax)`, `}`, ''].join('\n');
}

export function built(text: string): tf.LayersModel {
  return buildModel(analyze(text).models[0]!.network);
}

/**
 * Samples per second of one epoch of `samples` random samples in [0, 1) with
 * one-hot labels, after a warm-up fit on `warmup` others (kernel setup, first
 * allocations, the JIT). Adam at 0.001 with tfjs's defaults, as both the
 * reference and the CNN's train block; unshuffled, as the reference's loop.
 */
async function timeFit(model: tf.LayersModel, batchSize: number, samples: number, warmup: number): Promise<number> {
  // The trainer's Adam (trainer/optimizers.ts), with tfjs's defaults.
  model.compile({ optimizer: new FusedAdamOptimizer(0.001, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
  const total = samples + warmup;
  const classes = model.outputs[0]!.shape[1]!;
  const x = tf.randomUniform([total, ...(model.inputs[0]!.shape.slice(1) as number[])]);
  const y = tf.oneHot(tf.randomUniform([total], 0, classes, 'int32'), classes);
  const [warmX, timedX] = tf.split(x, [warmup, samples]);
  const [warmY, timedY] = tf.split(y, [warmup, samples]);
  await model.fit(warmX!, warmY!, { batchSize: Math.min(batchSize, warmup), epochs: 1, shuffle: false, verbose: 0 });
  const start = performance.now();
  await model.fit(timedX!, timedY!, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
  return samples / ((performance.now() - start) / 1000);
}


if (require.main === module) serveJob(runJob);
