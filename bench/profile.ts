/**
 * Where a training step's time goes on the wasm backend: the course MLP at
 * batch 32 and 128 and the digits CNN at batch 64, each in a process of its
 * own (as in trainSpeed.ts). Every kernel registered for wasm is wrapped
 * with a timer (here only, never in the shipped trainer); a kernel's time is
 * its own, less the kernels it runs itself (the overrides of trainer/wasm
 * call the backend's Transpose and others), so that the families add up to
 * the kernels' total. The rest of the step's wall time is the engine's own
 * work: tfjs's bookkeeping, the gradient tape, tfjs-layers' JavaScript and
 * the disposal of tensors (timed apart, at the backend).
 *
 * Each configuration runs twice, before and after the changes this table
 * justified: on the backend's own kernels with tfjs's Adam (the trainer's
 * kernels turned off by LAYERWISE_WASM_OWN_KERNELS=0), and on the
 * trainer's (trainer/wasm/ownKernels: the products, convolutions' patches,
 * pooling's and batch normalization's passes, elementwise arithmetic and
 * Adam's step). The data copies that the trainer shares instead of copying
 * (Identity, Cast, GatherV2) and the batched image transform are in both.
 *
 * On the backend's kernels, XNNPACK packs a product's right operand when it
 * meets a tensor it has not seen, which in training is every call (a weight
 * is a new tensor after each update). The packing is inside the product's
 * time; it is estimated per shape by timing the same product against a new
 * right operand and against one already packed, and shown apart. The
 * trainer's product packs as it goes, inside its own time. Threads' waits
 * are inside the kernels' times too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { analyze } from '../core';
import { selectBackend, wasmThreadCount } from '../trainer/backends';
import '../trainer/layers';
import { FusedAdamOptimizer } from '../trainer/wasm/adam';
import { ownKernels } from '../trainer/wasm/ownKernels';
import { productSize, swapsOperands } from '../trainer/wasm/matMul';
import { inChild as runInChild, serveJob } from './childJob';
import { built, LAYERS, mlpSource, shared } from './trainSpeed';

export interface ProfileJob {
  model: 'mlp' | 'cnn';
  batch?: number;
  /** Training steps timed. */
  steps: number;
  wasmThreads?: number;
  /** The backend's own kernels and tfjs's Adam, or the trainer's kernels and Adam (trainer/wasm). */
  kernels: 'backend' | 'trainer';
}

export interface FamilyTime {
  family: string;
  /** Milliseconds per step. */
  ms: number;
  /** Share of the step's wall time. */
  share: number;
  /** The kernels counted in it, by name, the costliest first. */
  kernels: string[];
  /** Their milliseconds per step, in the same order. */
  kernelMs?: number[];
}

export interface StepProfile {
  model: string;
  batch: number;
  threads: number;
  kernels: ProfileJob['kernels'];
  /** Wall time of one step, the timers' own cost included. */
  stepMs: number;
  samplesPerSecond: number;
  kernelCallsPerStep: number;
  families: FamilyTime[];
}

/** The families of the table, by kernel name; a kernel named nowhere is elementwise. */
const FAMILIES: Record<string, string[]> = {
  'matrix products': ['BatchMatMul', '_FusedMatMul'],
  transposes: ['Transpose'],
  convolutions: ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'],
  pooling: ['MaxPool', 'MaxPoolGrad', 'AvgPool', 'AvgPoolGrad'],
  reductions: ['Sum', 'Mean', 'Max', 'Min', 'Prod', 'ArgMax', 'ArgMin', 'All', 'Any'],
  'softmax and loss': ['Softmax', 'LogSoftmax', 'Log', 'ClipByValue'],
  'data copies': ['Slice', 'StridedSlice', 'GatherV2', 'Concat', 'Pack', 'Unpack', 'Cast', 'Identity', 'Reshape', 'Fill', 'ZerosLike', 'OnesLike', 'Tile', 'PadV2', 'MirrorPad'],
};
const OPTIMIZER = "optimizer's update";
const PACKING = 'packing in XNNPACK (estimated)';
const DISPOSE = 'disposing tensors';
const ENGINE = "engine's own work";

/** The profile of each configuration the issue names, one process each. */
export async function measureProfiles(jobs: ProfileJob[] = DEFAULT_JOBS): Promise<StepProfile[]> {
  const profiles: StepProfile[] = [];
  for (const job of jobs) profiles.push(await inChild(job));
  return profiles;
}

/** Each configuration on the backend's kernels and on the trainer's, side by side. */
export const DEFAULT_JOBS: ProfileJob[] = (
  [
    { model: 'mlp', batch: 32, steps: 64 },
    { model: 'mlp', batch: 128, steps: 24 },
    { model: 'cnn', steps: 12 },
  ] as const
).flatMap((job) => (['backend', 'trainer'] as const).map((kernels) => ({ ...job, kernels })));

/** The table's lines: a column per profile, a row per family. */
export function formatProfiles(profiles: StepProfile[]): string[] {
  const heads = profiles.map((p) => `${p.model} b${p.batch} ×${p.threads} ${p.kernels}`);
  const families = [...new Set(profiles.flatMap((p) => p.families.map((f) => f.family)))];
  const width = 31;
  const cell = (text: string): string => text.padStart(21);
  const lines = [`  ${'ms per step (share)'.padEnd(width)}${heads.map(cell).join('')}`];
  for (const family of families) {
    const cells = profiles.map((p) => {
      const row = p.families.find((f) => f.family === family);
      return cell(row && row.ms > 0.005 ? `${row.ms.toFixed(2)} (${(row.share * 100).toFixed(1)}%)` : '–');
    });
    lines.push(`  ${family.padEnd(width)}${cells.join('')}`);
  }
  lines.push(`  ${'step (wall)'.padEnd(width)}${profiles.map((p) => cell(`${p.stepMs.toFixed(2)} ms`)).join('')}`);
  lines.push(`  ${'samples/s while profiled'.padEnd(width)}${profiles.map((p) => cell(p.samplesPerSecond.toFixed(0))).join('')}`);
  lines.push(`  ${'kernel calls per step'.padEnd(width)}${profiles.map((p) => cell(p.kernelCallsPerStep.toFixed(0))).join('')}`);
  for (const p of profiles) {
    const top = p.families
      .filter((f) => f.kernels.length > 0 && f.ms > 0.05)
      .map((f) => `${f.family}: ${f.kernels.slice(0, 4).map((name, i) => `${name} ${f.kernelMs?.[i]?.toFixed(1) ?? ''}`.trim()).join(', ')}`)
      .join('; ');
    lines.push(`  kernels of ${p.model} b${p.batch}, ${p.kernels}'s, ms a step: ${top}`);
  }
  return lines;
}

// ---------------------------------------------------------------------------
// In the child process

function inChild(job: ProfileJob): Promise<StepProfile> {
  return runInChild<StepProfile>(__filename, job, job.kernels === 'backend');
}

interface Timers {
  /** Own milliseconds by kernel name, over the timed steps. */
  own: Map<string, number>;
  /** Own milliseconds of the kernels run inside the optimizer's update. */
  optimizer: Map<string, number>;
  disposeMs: number;
  calls: number;
  /** The products XNNPACK ran, as `m,k,n` with their counts. */
  products: Map<string, number>;
  on: boolean;
}

async function runProfile(job: ProfileJob): Promise<StepProfile> {
  const cnnText = readFileSync(join(shared, 'examples', 'digits_cnn.net'), 'utf8');
  const batch = job.model === 'mlp' ? job.batch! : analyze(cnnText).trainBlocks[0]!.batchSize;
  await selectBackend('wasm', { batchSize: batch, wasmThreads: job.wasmThreads });
  const model = built(job.model === 'mlp' ? mlpSource(LAYERS) : cnnText);
  // tfjs's defaults, as trainSpeed.ts and the CNN's train block.
  const optimizer = job.kernels === 'trainer' ? new FusedAdamOptimizer(0.001, 0.9, 0.999, 1e-7) : tf.train.adam(0.001, 0.9, 0.999, 1e-7);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const timers = instrument(optimizer);
  const samples = job.steps * batch;
  const classes = model.outputs[0]!.shape[1]!;
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  const x = tf.randomUniform([samples, ...shape]);
  const y = tf.oneHot(tf.randomUniform([samples], 0, classes, 'int32'), classes);
  // A warm-up epoch: kernel setup, first allocations, the JIT.
  await model.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
  timers.on = true;
  const start = performance.now();
  await model.fit(x, y, { batchSize: batch, epochs: 1, shuffle: false, verbose: 0 });
  const wallMs = performance.now() - start;
  timers.on = false;
  const steps = job.steps;
  const stepMs = wallMs / steps;
  // The trainer's product packs inside its own time; only XNNPACK's packing is estimated.
  const packingMs = job.kernels === 'backend' ? estimatePacking(timers.products) / steps : 0;

  const byFamily = new Map<string, Map<string, number>>();
  const add = (family: string, kernel: string, ms: number): void => {
    const kernels = byFamily.get(family) ?? new Map<string, number>();
    kernels.set(kernel, (kernels.get(kernel) ?? 0) + ms / steps);
    byFamily.set(family, kernels);
  };
  for (const [kernel, ms] of timers.own) add(familyOf(kernel), kernel, ms);
  for (const [kernel, ms] of timers.optimizer) add(OPTIMIZER, kernel, ms);
  const families: FamilyTime[] = [];
  let kernelsMs = 0;
  for (const [family, kernels] of byFamily) {
    let ms = [...kernels.values()].reduce((sum, v) => sum + v, 0);
    kernelsMs += ms;
    if (family === 'matrix products') ms = Math.max(0, ms - packingMs);
    const sorted = [...kernels].sort((p, q) => q[1] - p[1]);
    families.push({ family, ms, share: ms / stepMs, kernels: sorted.map(([name]) => name), kernelMs: sorted.map(([, kernelMs]) => kernelMs) });
  }
  if (packingMs > 0) families.push({ family: PACKING, ms: packingMs, share: packingMs / stepMs, kernels: [] });
  const disposeMs = timers.disposeMs / steps;
  families.push({ family: DISPOSE, ms: disposeMs, share: disposeMs / stepMs, kernels: [] });
  const engineMs = Math.max(0, stepMs - kernelsMs - disposeMs);
  families.push({ family: ENGINE, ms: engineMs, share: engineMs / stepMs, kernels: [] });
  const order = [...Object.keys(FAMILIES), PACKING, 'elementwise', OPTIMIZER, DISPOSE, ENGINE];
  families.sort((p, q) => order.indexOf(p.family) - order.indexOf(q.family));
  return {
    model: job.model === 'mlp' ? 'MLP' : 'CNN',
    batch,
    threads: ownKernels(tf.backend() as BackendWasm)?.threads ?? wasmThreadCount(),
    kernels: job.kernels,
    stepMs,
    samplesPerSecond: (steps * batch) / (wallMs / 1000),
    kernelCallsPerStep: timers.calls / steps,
    families,
  };
}

function familyOf(kernel: string): string {
  for (const [family, kernels] of Object.entries(FAMILIES)) if (kernels.includes(kernel)) return family;
  return 'elementwise';
}

/**
 * Wraps every wasm kernel with a timer of its own time, the backend's
 * disposal with another, and the optimizer's update with a mark, so that
 * the kernels it runs count as its own.
 */
function instrument(optimizer: tf.Optimizer): Timers {
  const timers: Timers = { own: new Map(), optimizer: new Map(), disposeMs: 0, calls: 0, products: new Map(), on: false };
  let inOptimizer = false;
  /** Time of the kernels running inside the one that runs now, to subtract from its own. */
  const childMs: number[] = [];
  for (const config of tf.getKernelsForBackend('wasm')) {
    const inner = config.kernelFunc;
    const name = config.kernelName;
    const isProduct = name === tf.BatchMatMul || name === tf._FusedMatMul;
    const kernelFunc: tf.KernelFunc = (args) => {
      if (!timers.on) return inner(args);
      if (isProduct) recordProduct(timers.products, args, name === tf.BatchMatMul);
      childMs.push(0);
      const start = performance.now();
      try {
        return inner(args);
      } finally {
        const total = performance.now() - start;
        const own = total - childMs.pop()!;
        if (childMs.length > 0) childMs[childMs.length - 1]! += total;
        const into = inOptimizer ? timers.optimizer : timers.own;
        into.set(name, (into.get(name) ?? 0) + own);
        timers.calls++;
      }
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc });
  }
  const backend = tf.backend() as BackendWasm;
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId, force) => {
    if (!timers.on) return dispose(dataId, force);
    const start = performance.now();
    try {
      return dispose(dataId, force);
    } finally {
      timers.disposeMs += performance.now() - start;
    }
  };
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (gradients) => {
    inOptimizer = true;
    try {
      apply(gradients);
    } finally {
      inOptimizer = false;
    }
  };
  return timers;
}

/** Notes the plain product XNNPACK runs for a product kernel's call, as trainer/wasm/matMul.ts rewrites it. */
function recordProduct(products: Map<string, number>, args: Parameters<tf.KernelFunc>[0], swapsProduct: boolean): void {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const { m, k, n } = productSize(a.shape, b.shape, transposeA, transposeB);
  const batches = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  // Swapped, the product is n×k by k×m, and its right operand is the k×m one.
  const key = (swapsProduct && swapsOperands(m, k, n, transposeA, transposeB) ? [batches, n, k, m] : [batches, m, k, n]).join(',');
  products.set(key, (products.get(key) ?? 0) + 1);
}

/**
 * XNNPACK's packing in the timed steps, in ms: for each product shape, the
 * median time against a right operand it has not seen less the median
 * against one it has packed already, times the calls of that shape.
 */
function estimatePacking(products: Map<string, number>): number {
  let total = 0;
  for (const [key, count] of products) {
    const [batches, m, k, n] = key.split(',').map(Number) as [number, number, number, number];
    const a = tf.randomUniform([batches, m, k]);
    const b = tf.randomUniform([batches, k, n]);
    const seen: number[] = [];
    const fresh: number[] = [];
    for (let round = 0; round < 7; round++) {
      let start = performance.now();
      tf.matMul(a, b).dispose();
      seen.push(performance.now() - start);
      const copy = tf.add(b, 0);
      start = performance.now();
      tf.matMul(a, copy).dispose();
      fresh.push(performance.now() - start);
      copy.dispose();
    }
    total += count * Math.max(0, median(fresh) - median(seen));
    tf.dispose([a, b]);
  }
  return total;
}

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  return sorted[sorted.length >> 1]!;
}

if (require.main === module) serveJob(runProfile);
