/**
 * Backend selection, and the wasm kernels of trainer/wasm held against the
 * cpu backend: every overridden or added kernel, forward and through
 * tf.grads, must give the cpu backend's numbers; and what the catalog builds
 * must train on wasm.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../core';
import { selectBackend } from '../trainer/backends';
import { buildModel } from '../trainer/buildModel';
import '../trainer/layers';
import { ADAM_SHAPES, adamOfBlock, fourSteps, type Fit, type Steps } from './adamSteps';
import { read, repoRoot } from './support';

const TOLERANCE = 1e-4;

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
}

function random(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(values(tf.util.sizeFromShape(shape), seed), shape);
}

/** The values `compute` gives on `backend`, each tensor flattened. */
async function run(backend: 'cpu' | 'wasm', compute: () => tf.Tensor | tf.Tensor[]): Promise<{ shape: number[]; data: number[] }[]> {
  await selectBackend(backend);
  return tf.tidy(() => {
    const result = compute();
    return (Array.isArray(result) ? result : [result]).map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
  });
}

/** `compute` gives the same shapes, and values within TOLERANCE, on wasm as on cpu. */
async function assertSameAsCpu(compute: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const expected = await run('cpu', compute);
  const actual = await run('wasm', compute);
  assert.equal(actual.length, expected.length);
  actual.forEach((tensor, i) => {
    assert.deepEqual(tensor.shape, expected[i]!.shape, `output ${i}: shape`);
    tensor.data.forEach((v, j) => {
      const e = expected[i]!.data[j]!;
      assert.ok(Math.abs(v - e) <= TOLERANCE * Math.max(1, Math.abs(e)), `output ${i} at ${j}: wasm ${v}, cpu ${e}`);
    });
  });
}

/** The output and the gradient of a weighted sum of it with respect to every input, so that each output element matters. */
function withGradients(f: (...xs: tf.Tensor[]) => tf.Tensor, ...inputs: tf.Tensor[]): tf.Tensor[] {
  const y = f(...inputs);
  const weights = random(y.shape, 99);
  const grads = tf.grads((...xs: tf.Tensor[]) => f(...xs).mul(weights).sum())(inputs);
  return [y, ...grads];
}

describe('selectBackend', () => {
  // An empty per-user folder, so that what this machine's user installed does not count.
  const noUserFolder = { userDir: mkdtempSync(join(tmpdir(), 'layerwise-user-')) };

  it('auto falls back to wasm and says why each native package was skipped', { skip: nativeInstalled && 'a native package is installed' }, async () => {
    const { backend, skipped } = await selectBackend('auto', { native: noUserFolder });
    assert.equal(backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(
      skipped.map((s) => s.backend),
      ['tfjs-node-gpu', 'tfjs-node'],
    );
    for (const { backend: name, reason } of skipped) {
      assert.match(reason, new RegExp(`^not installed: @tensorflow/${name} is in none of .*; install it with layerwise backend install`));
      assert.ok(!reason.includes('\n'));
    }
  });

  it('a forced backend that cannot load throws with the reason', { skip: nativeInstalled && 'a native package is installed' }, async () => {
    await assert.rejects(selectBackend('tfjs-node', { native: noUserFolder }), /tfjs-node.*not installed: @tensorflow\/tfjs-node is in none of/);
  });

  it('forcing cpu makes cpu the backend', async () => {
    const selected = await selectBackend('cpu');
    assert.deepEqual({ ...selected, info: { ...selected.info, folder: '' } }, { backend: 'cpu', info: { version: tf.version.tfjs, folder: '' }, skipped: [] });
    assert.ok(existsSync(join(selected.info.folder, 'package.json')), selected.info.folder);
    assert.equal(tf.getBackend(), 'cpu');
  });
});

describe('the threaded wasm build', () => {
  // A process starts its wasm backend once: the threaded one is tried in a process of its own.
  const script = `
    const tf = require('@tensorflow/tfjs');
    const { selectBackend, wasmThreadCount } = require(${JSON.stringify(join(__dirname, '..', 'trainer', 'backends'))});
    const input = (shape) => tf.sin(tf.range(0, shape.reduce((a, b) => a * b)).mul(0.37)).reshape(shape);
    const compute = () => tf.tidy(() => {
      const convolution = tf.grads((x, w) => tf.maxPool(tf.conv2d(x, w, 1, 'same'), 2, 2, 'valid').square().sum());
      const product = tf.grads((a, b) => tf.matMul(a, b, true, false).relu().sum());
      return [...convolution([input([4, 9, 9, 8]), input([3, 3, 8, 16])]), ...product([input([128, 64]), input([128, 96])])].map((t) => Array.from(t.dataSync()));
    });
    (async () => {
      await selectBackend('wasm', { wasmThreads: 2 });
      const threads = wasmThreadCount();
      const wasm = compute();
      await selectBackend('cpu');
      const cpu = compute();
      const error = Math.max(...wasm.flatMap((values, i) => values.map((v, j) => Math.abs(v - cpu[i][j]) / Math.max(1, Math.abs(cpu[i][j])))));
      process.stdout.write(JSON.stringify({ threads, error }));
    })();
  `;

  it('runs on two threads, gives the cpu backend\'s numbers, and lets the process exit', () => {
    // A pool worker that kept the process alive would run into the timeout.
    const output = execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const { threads, error } = JSON.parse(output) as { threads: number; error: number };
    assert.equal(threads, 2);
    assert.ok(error <= TOLERANCE, `largest relative difference ${error}`);
  });
});

/**
 * JavaScript expressions over `bytes`, a module being validated: whether it
 * uses SIMD (the package's feature check, or any build of the trainer's
 * kernels), and whether it is a relaxed-SIMD build of the kernels.
 */
const KERNELS = `require(${JSON.stringify(join(__dirname, '..', 'trainer', 'wasm', 'binaries'))}).KERNEL_BINARIES`;
const RELAXED_MODULE_CHECK = `[${KERNELS}.relaxed, ${KERNELS}.relaxedShared].includes(Buffer.from(bytes).toString('base64'))`;
// The package's probe is a 29-byte module with one SIMD instruction (0xfd) at byte 25.
const SIMD_MODULE_CHECK = `(Object.values(${KERNELS}).includes(Buffer.from(bytes).toString('base64')) || (bytes.length === 29 && bytes[25] === 0xfd))`;

describe('the wasm build a run starts', () => {
  // Each in a process of its own, which starts wasm once; a product and its gradients checked against cpu on the build that runs.
  const script = (options: string, before = '') => `
    const tf = require('@tensorflow/tfjs');
    const { selectBackend } = require(${JSON.stringify(join(__dirname, '..', 'trainer', 'backends'))});
    const compute = () => tf.tidy(() => {
      const input = (shape) => tf.sin(tf.range(0, shape.reduce((a, b) => a * b)).mul(0.37)).reshape(shape);
      return tf.grads((a, b) => tf.matMul(a, b).relu().sum())([input([33, 17]), input([17, 5])]).map((t) => Array.from(t.dataSync()));
    });
    (async () => {
      ${before}
      const { info } = await selectBackend('wasm', ${options});
      const wasm = compute();
      await selectBackend('cpu');
      const cpu = compute();
      const error = Math.max(...wasm.flatMap((values, i) => values.map((v, j) => Math.abs(v - cpu[i][j]) / Math.max(1, Math.abs(cpu[i][j])))));
      process.stdout.write(JSON.stringify({ wasm: info.wasm, error }));
    })();
  `;
  const started = (options: string, before?: string): { wasm: unknown; error: number } =>
    JSON.parse(execFileSync(process.execPath, ['-e', script(options, before)], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] }));

  /** The trainer's own kernels' build: relaxed SIMD where this Node validates it (asked for by flag on Node 20), else SIMD. */
  const kernelBuild = (wasm: unknown): string => ((wasm as { kernels?: { build: string } }).kernels?.build ?? 'none');

  it("names the threaded SIMD build, its threads, and the trainer's kernels' build and threads", () => {
    const { wasm, error } = started('{ wasmThreads: 2 }');
    assert.match(kernelBuild(wasm), /^(relaxed-simd|simd)$/);
    assert.deepEqual(wasm, { build: 'threaded-simd', threads: 2, kernels: { build: kernelBuild(wasm), threads: 2 } });
    assert.ok(error <= TOLERANCE, `largest relative difference ${error}`);
  });

  it("runs the single-threaded SIMD build for one thread and for a batch under 32; from 32, the backend's pool on one thread and the trainer's kernels on every core", () => {
    const one = started('{ wasmThreads: 1 }').wasm;
    assert.deepEqual(one, { build: 'simd', threads: 1, kernels: { build: kernelBuild(one), threads: 1 } });
    const tiny = started('{ batchSize: 16 }').wasm;
    assert.deepEqual(tiny, { build: 'simd', threads: 1, kernels: { build: kernelBuild(tiny), threads: 1 } });
    const small = started('{ batchSize: 32 }').wasm;
    const cores = Math.min(availableParallelism(), 8);
    assert.deepEqual(small, { build: cores > 1 ? 'threaded-simd' : 'simd', threads: 1, kernels: { build: kernelBuild(small), threads: cores } });
    const large = started('{ batchSize: 128 }').wasm;
    assert.deepEqual(large, { build: cores > 1 ? 'threaded-simd' : 'simd', threads: 1, kernels: { build: kernelBuild(large), threads: cores } });
  });

  it("says why the trainer's kernels do not run, and trains on the backend's own, its pool on every core from batch 64, where they are turned off", () => {
    const off = "process.env.LAYERWISE_WASM_OWN_KERNELS = '0';";
    const { wasm, error } = started('{ wasmThreads: 1 }', off);
    const kernelsMissing = 'turned off by LAYERWISE_WASM_OWN_KERNELS=0';
    assert.deepEqual(wasm, { build: 'simd', threads: 1, kernelsMissing });
    assert.ok(error <= TOLERANCE, `largest relative difference ${error}`);
    const cores = Math.min(availableParallelism(), 8);
    assert.deepEqual(started('{ batchSize: 32 }', off).wasm, { build: 'simd', threads: 1, kernelsMissing });
    assert.deepEqual(started('{ batchSize: 128 }', off).wasm, { build: cores > 1 ? 'threaded-simd' : 'simd', threads: cores, kernelsMissing });
  });

  it('falls back to the single-threaded build, and says why, when the threaded one does not start', () => {
    // The package's binaries beside a threaded build whose binary is no WebAssembly.
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-wasm-'));
    const packageDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    for (const file of readdirSync(join(packageDir, 'dist')).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(packageDir, 'dist', file), join(dir, file));
    for (const file of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js']) copyFileSync(join(packageDir, 'wasm-out', file), join(dir, file));
    writeFileSync(join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'), 'not WebAssembly');
    const { wasm, error } = started(`{ wasmThreads: 2, wasmDir: ${JSON.stringify(dir)} }`);
    const { fallback, ...rest } = wasm as { fallback?: string };
    assert.deepEqual(rest, { build: 'simd', threads: 1, kernels: { build: kernelBuild(wasm), threads: 1 } });
    assert.match(fallback ?? '', /^2 threads asked for, but the threaded build did not start: /);
    assert.ok(error <= TOLERANCE, `largest relative difference ${error}`);
  });

  it("runs the plain build, and the backend's own kernels, where the runtime has no SIMD", () => {
    // A runtime that validates no SIMD module: neither the package's check nor the trainer's kernels' passes.
    const { wasm, error } = started('{ wasmThreads: 1 }', `const validate = WebAssembly.validate; WebAssembly.validate = (bytes) => validate(bytes) && !${SIMD_MODULE_CHECK};`);
    assert.deepEqual(wasm, { build: 'plain', threads: 1, kernelsMissing: 'this runtime has no WebAssembly SIMD' });
    assert.ok(error <= TOLERANCE, `largest relative difference ${error}`);
  });

  it("runs the trainer's kernels' SIMD build where the runtime has no relaxed SIMD", () => {
    const { wasm, error } = started('{ wasmThreads: 2 }', `const validate = WebAssembly.validate; WebAssembly.validate = (bytes) => validate(bytes) && !${RELAXED_MODULE_CHECK};`);
    assert.deepEqual(wasm, { build: 'threaded-simd', threads: 2, kernels: { build: 'simd', threads: 2 } });
    assert.ok(error <= TOLERANCE, `largest relative difference ${error}`);
  });
});

describe('wasm kernels against the cpu backend', () => {
  for (const [transposeA, transposeB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    it(`matMul with transposeA=${transposeA}, transposeB=${transposeB}, and its gradients`, async () => {
      // Shapes on both sides of the choice between transposing b and transposing the product.
      for (const [m, k, n] of [
        [3, 5, 4],
        [40, 6, 3],
        [2, 7, 30],
      ]) {
        const a = () => random(transposeA ? [k!, m!] : [m!, k!], 1);
        const b = () => random(transposeB ? [n!, k!] : [k!, n!], 2);
        await assertSameAsCpu(() => withGradients((x, y) => tf.matMul(x!, y!, transposeA, transposeB), a(), b()));
      }
      // A batch of products.
      const a3 = () => random(transposeA ? [2, 5, 3] : [2, 3, 5], 3);
      const b3 = () => random(transposeB ? [2, 4, 5] : [2, 5, 4], 4);
      await assertSameAsCpu(() => withGradients((x, y) => tf.matMul(x!, y!, transposeA, transposeB), a3(), b3()));
    });

    it(`fused matMul with a bias and relu, transposeA=${transposeA}, transposeB=${transposeB}`, async () => {
      const [m, k, n] = [6, 5, 4];
      await assertSameAsCpu(() =>
        tf.fused.matMul({
          a: random(transposeA ? [k, m] : [m, k], 5),
          b: random(transposeB ? [n, k] : [k, n], 6),
          transposeA,
          transposeB,
          bias: random([n], 7),
          activation: 'relu',
        }),
      );
    });
  }

  const convolutions: { name: string; x: number[]; filter: number[]; strides: number | [number, number]; pad: 'valid' | 'same' }[] = [
    { name: '3×3, stride 1, valid', x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
    { name: '3×3, stride 2, same', x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
    { name: '2×4, strides (2, 1), same', x: [1, 5, 8, 2], filter: [2, 4, 2, 3], strides: [2, 1], pad: 'same' },
    { name: '5×5 on one channel, valid', x: [3, 9, 9, 1], filter: [5, 5, 1, 2], strides: 1, pad: 'valid' },
  ];
  for (const c of convolutions) {
    it(`conv2d ${c.name}: Conv2DBackpropFilter and Conv2DBackpropInput through tf.grads`, async () => {
      await assertSameAsCpu(() => withGradients((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad), random(c.x, 11), random(c.filter, 12)));
    });
  }

  it('conv2dTranspose (Conv2DBackpropInput forward) and its gradients', async () => {
    const [batch, height, width, inChannels, outChannels] = [2, 4, 5, 3, 2];
    for (const [strides, pad] of [
      [2, 'valid'],
      [2, 'same'],
      [1, 'same'],
    ] as const) {
      const outHeight = pad === 'valid' ? (height - 1) * strides + 3 : height * strides;
      const outWidth = pad === 'valid' ? (width - 1) * strides + 3 : width * strides;
      await assertSameAsCpu(() =>
        withGradients(
          (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [batch, outHeight, outWidth, outChannels], strides, pad),
          random([batch, height, width, inChannels], 13),
          random([3, 3, outChannels, inChannels], 14),
        ),
      );
    }
  });

  it('conv1d and its gradients', async () => {
    await assertSameAsCpu(() => withGradients((x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same'), random([2, 11, 3], 15), random([3, 3, 4], 16)));
  });

  it('max and average pooling gradients (the backend\'s own kernels)', async () => {
    for (const pad of ['valid', 'same'] as const) {
      await assertSameAsCpu(() => withGradients((x) => tf.maxPool(x as tf.Tensor4D, 3, 2, pad), random([2, 7, 6, 3], 17)));
      await assertSameAsCpu(() => withGradients((x) => tf.avgPool(x as tf.Tensor4D, 3, 2, pad), random([2, 7, 6, 3], 18)));
    }
  });

  it('unsortedSegmentSum, out-of-range ids dropped, and the gather gradient it serves', async () => {
    await assertSameAsCpu(() => tf.unsortedSegmentSum(random([6, 3], 19), tf.tensor1d([2, 0, 2, -1, 5, 1], 'int32'), 4));
    await assertSameAsCpu(() => tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 1, 0, 3], 'int32'), 3));
    await assertSameAsCpu(() => withGradients((table) => tf.gather(table!, tf.tensor2d([[0, 3, 3], [1, 0, 4]], [2, 3], 'int32')), random([5, 4], 20)));
  });

  it('tile, of every dtype, and its gradient', async () => {
    for (const [shape, reps] of [
      [[3], [4]],
      [[2, 3], [2, 2]],
      [[1, 1, 1, 4], [2, 3, 3, 1]],
      [[2, 1, 3], [1, 4, 2]],
    ]) {
      await assertSameAsCpu(() => withGradients((x) => tf.tile(x!, reps!), random(shape!, 22)));
      await assertSameAsCpu(() => tf.tile(tf.range(0, tf.util.sizeFromShape(shape!), 1, 'int32').reshape(shape!), reps!));
      await assertSameAsCpu(() => tf.tile(random(shape!, 23).greater(0), reps!));
    }
  });

  it('reductions over merged axes, with and without keepDims, and their gradients', async () => {
    const reductions = { sum: tf.sum, mean: tf.mean, max: tf.max, min: tf.min, prod: tf.prod };
    for (const [name, reduce] of Object.entries(reductions)) {
      // tfjs's gradient of prod cannot take a negative axis, on any backend.
      for (const axis of [[0, 1, 2], [1, 2], [0, 2], [2, 3], name === 'prod' ? 3 : -1, [0, 1, 2, 3]]) {
        for (const keepDims of [false, true]) {
          const x = () => (name === 'prod' ? random([2, 3, 2, 3], 24).add(1.5) : random([3, 4, 5, 6], 24));
          await assertSameAsCpu(() => withGradients((t) => reduce(t!, axis, keepDims), x()));
        }
      }
    }
  });
});

describe('training on wasm', () => {
  /**
   * The model of `text` built on `backend`, given the same weights as on any
   * other backend, and trained three steps with plain SGD on `x` and fixed
   * targets: its shapes, parameter count and losses.
   */
  async function trainThreeSteps(backend: 'cpu' | 'wasm', text: string, x: () => tf.Tensor): Promise<{ shapes: number[][]; params: number; losses: number[] }> {
    await selectBackend(backend);
    const model = buildModel(analyze(text).models[0]!.network);
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(values(w.size, 30 + i).map((v) => v * 0.5), w.shape)));
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) losses.push((await model.trainOnBatch(x(), y)) as number);
    const result = { shapes: model.layers.map((layer) => (layer.outputShape as number[]).slice(1)), params: model.countParams(), losses };
    model.dispose();
    return result;
  }

  const models: { name: string; text: string; x: () => tf.Tensor }[] = [
    {
      name: 'a tiny CNN',
      text: 'model Tiny {\n  input image: [6, 6, 1]\n  image -> Conv2D(4, 3, activation=relu) -> MaxPooling2D(2) -> Flatten() -> Dense(3, activation=softmax)\n}',
      x: () => random([8, 6, 6, 1], 21),
    },
    {
      name: 'an Embedding and an LSTM',
      text: 'model Tokens {\n  input tokens: [5]\n  tokens -> Embedding(7, 4) -> LSTM(6) -> Dense(3, activation=softmax)\n}',
      x: () => tf.tensor2d(values(40, 25).map((v) => Math.floor((v + 1) * 3.5)), [8, 5]),
    },
  ];
  for (const { name, text, x } of models) {
    it(`${name} has the same shapes, parameters and losses on wasm as on cpu`, async () => {
      const cpu = await trainThreeSteps('cpu', text, x);
      const wasm = await trainThreeSteps('wasm', text, x);
      assert.deepEqual(wasm.shapes, cpu.shapes);
      assert.equal(wasm.params, cpu.params);
      wasm.losses.forEach((loss, i) => assert.ok(Math.abs(loss - cpu.losses[i]!) <= TOLERANCE, `step ${i}: wasm ${loss}, cpu ${cpu.losses[i]}`));
      assert.ok(wasm.losses[2]! < wasm.losses[0]!, `losses ${wasm.losses.join(' ')}`);
    });
  }

  it('the loss of the digits CNN falls over a few steps', async () => {
    await selectBackend('wasm');
    const model = buildModel(analyze(read(join(repoRoot, '..', 'shared', 'examples', 'digits_cnn.net'))).models[0]!.network);
    model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), 'int32'), 10);
    const losses: number[] = [];
    for (let step = 0; step < 12; step++) losses.push((await model.trainOnBatch(x, y)) as number);
    // Dropout and the random rotation make single steps noisy: compare the first three with the last three.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-3)) < 0.85 * mean(losses.slice(0, 3)), `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    model.dispose();
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`every layer of the catalog trains a step on ${backend}`, async () => {
      await selectBackend(backend);
      for (const { network } of analyze(read(join(repoRoot, 'test', 'fixtures', 'every_layer.net'))).models) {
        const model = buildModel(network);
        model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
        // Integers in [0, 5): token ids for the Embedding input, pixel values for the image.
        const inputs = network.inputs.map((input, i) => {
          const shape = [2, ...(input.outputShape!.slice(1) as number[])];
          return tf.randomUniform(shape, 0, 5, 'float32', i).floor();
        });
        const targets = model.outputs.map((output) => tf.zeros([2, ...(output.shape.slice(1) as number[])]));
        const before = model.getWeights().map((w) => w.dataSync().slice());
        const loss = (await model.trainOnBatch(inputs, targets)) as number;
        assert.ok(Number.isFinite(loss), `${network.name}: loss ${loss}`);
        const changed = model.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i]![j]));
        assert.ok(changed, `${network.name}: no weight changed`);
        model.dispose();
      }
    });
  }
});

describe("the train block's Adam", () => {
  const cpuSteps = (epsilon: number) => fourSteps('cpu', () => tf.train.adam(0.01, 0.8, 0.95, epsilon));

  /** `values` within TOLERANCE of `expected`, tensor by tensor. */
  function assertClose(values: number[][], expected: number[][]): void {
    assert.equal(values.length, expected.length);
    values.forEach((tensor, i) => {
      assert.equal(tensor.length, expected[i]!.length);
      tensor.forEach((v, j) => {
        const e = expected[i]![j]!;
        assert.ok(Math.abs(v - e) <= TOLERANCE * Math.max(1, Math.abs(e)), `tensor ${i} at ${j}: wasm ${v}, cpu ${e}`);
      });
    });
  }

  describe('on the threaded wasm build', () => {
    // A process starts its wasm backend once: the threaded one, where the update runs as one kernel, in a process of its own.
    const script = `
      const { selectBackend } = require(${JSON.stringify(join(__dirname, '..', 'trainer', 'backends'))});
      const { adamOfBlock, fitTwice, fourSteps } = require(${JSON.stringify(join(__dirname, 'adamSteps'))});
      (async () => {
        await selectBackend('wasm', { wasmThreads: 2 });
        const steps = {};
        for (const epsilon of ['', ', epsilon=0.001']) steps[epsilon] = await fourSteps('wasm', () => adamOfBlock(epsilon));
        process.stdout.write(JSON.stringify({ steps, fits: await fitTwice() }));
      })();
    `;
    let result: { steps: Record<string, Steps>; fits: Fit[] } | undefined;
    const threaded = (): { steps: Record<string, Steps>; fits: Fit[] } => (result ??= JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] })));

    for (const [epsilon, value] of [['', 1e-7], [', epsilon=0.001', 0.001]] as const) {
      it(`gives tfjs's Adam on cpu within 1e-4, the moments too, in one kernel per variable${epsilon ? ' (epsilon set)' : ''}`, async () => {
        const expected = await cpuSteps(value);
        const actual = threaded().steps[epsilon]!;
        assert.equal(actual.values.length, 3 * ADAM_SHAPES.length);
        assertClose(actual.values, expected.values);
        // One update kernel per variable and the two products of β^t: tfjs's Adam runs a dozen per variable.
        assert.equal(actual.kernels.filter((name) => name === 'LayerwiseAdamUpdate').length, ADAM_SHAPES.length, actual.kernels.join(' '));
        assert.ok(actual.kernels.length <= ADAM_SHAPES.length + 4, actual.kernels.join(' '));
      });
    }

    it('trains the same history from the same weights twice, and leaves no tensor behind an epoch', () => {
      const [first, second] = threaded().fits as [Fit, Fit];
      assert.deepEqual(second.losses, first.losses);
      assert.ok(first.losses[3]! < first.losses[0]!, `losses ${first.losses.join(' ')}`);
      assert.deepEqual(first.leaks, [0, 0, 0]);
    });
  });

  it("on one wasm thread gives tfjs's Adam on cpu within 1e-4 in one kernel per variable, and on cpu is tfjs's Adam, number for number", async () => {
    for (const epsilon of [1e-7, 0.001]) {
      const actual = await fourSteps('wasm', () => adamOfBlock(epsilon === 0.001 ? ', epsilon=0.001' : ''));
      assertClose(actual.values, (await cpuSteps(epsilon)).values);
      assert.equal(actual.kernels.filter((name) => name === 'LayerwiseAdamUpdate').length, ADAM_SHAPES.length, actual.kernels.join(' '));
    }
    const expected = await fourSteps('cpu', () => tf.train.adam(0.01, 0.8, 0.95, 1e-7));
    assert.deepEqual((await fourSteps('cpu', () => adamOfBlock(''))).values, expected.values);
  });
});
