/**
 * The trainer's own wasm kernels (trainer/wasm/ownKernels: the matrix
 * product with its fused bias and activation, Adam's step) and the slice
 * copies of GatherV2, held against the cpu backend within 1e-4, forward and
 * through tf.grads: on two threads of the threaded build, on the
 * single-threaded one, and with the kernels turned off (the backend's own).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../trainer/backends';
import { RandomRotation } from '../trainer/layers';
import { cases, runCases, type CaseResults } from './ownKernelCases';
import { repoRoot } from './support';

const TOLERANCE = 1e-4;

type WasmResults = CaseResults & { repeat: Record<string, number[][]> };

/** Every case on wasm in a process of its own, which starts its backend once. */
function inProcess(threads: number, env: Record<string, string> = {}, before = ''): WasmResults {
  const script = `
    ${before}
    const { runCases } = require(${JSON.stringify(join(__dirname, 'ownKernelCases'))});
    runCases('wasm', ${threads}).then((r) => process.stdout.write(JSON.stringify(r)));
  `;
  const output = execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(output) as WasmResults;
}

function assertClose(actual: number[][], expected: number[][], name: string): void {
  assert.equal(actual.length, expected.length, `${name}: outputs`);
  actual.forEach((tensor, i) => {
    assert.equal(tensor.length, expected[i]!.length, `${name}: output ${i} size`);
    tensor.forEach((v, j) => {
      const e = expected[i]![j]!;
      assert.ok(Math.abs(v - e) <= TOLERANCE * Math.max(1, Math.abs(e)), `${name}: output ${i} at ${j}: wasm ${v}, cpu ${e}`);
    });
  });
}

describe("the trainer's own wasm kernels against the cpu backend", () => {
  let cpu: CaseResults;
  before(async () => {
    cpu = await runCases('cpu');
  });

  // A runtime that does not validate the relaxed-SIMD builds of the kernels.
  const withoutRelaxed = `
    const { KERNEL_BINARIES } = require(${JSON.stringify(join(__dirname, '..', 'trainer', 'wasm', 'binaries'))});
    const validate = WebAssembly.validate;
    WebAssembly.validate = (bytes) => validate(bytes) && ![KERNEL_BINARIES.relaxed, KERNEL_BINARIES.relaxedShared].includes(Buffer.from(bytes).toString('base64'));
  `;
  const configurations: { name: string; threads: number; env?: Record<string, string>; before?: string; own: boolean; build?: string }[] = [
    { name: 'on two threads of the threaded build', threads: 2, own: true },
    { name: 'on two threads, where the runtime has no relaxed SIMD', threads: 2, before: withoutRelaxed, own: true, build: 'simd' },
    { name: 'on the single-threaded build', threads: 1, own: true },
    { name: "turned off, the backend's own kernels", threads: 1, env: { LAYERWISE_WASM_OWN_KERNELS: '0' }, own: false },
  ];
  for (const configuration of configurations) {
    it(`${configuration.name}: every case within 1e-4, and the same numbers when run again`, () => {
      const wasm = inProcess(configuration.threads, configuration.env, configuration.before);
      if (configuration.own) {
        assert.match(wasm.build ?? '', configuration.build ? new RegExp(`^${configuration.build}$`) : /^(relaxed-simd|simd)$/);
        assert.equal(wasm.threads, configuration.threads);
        // The products of every case and their gradients ran here, and each other kernel on its cases.
        assert.ok(wasm.calls['gemm']! >= 2 * cases().length, JSON.stringify(wasm.calls));
        for (const kernel of ['patches', 'maxPoolGrad', 'batchNorm', 'columnSums', 'binary']) assert.ok(wasm.calls[kernel]! > 0, `${kernel}: ${JSON.stringify(wasm.calls)}`);
      } else {
        assert.equal(wasm.build, undefined);
      }
      for (const [name] of cases()) {
        assertClose(wasm.results[name]!, cpu.results[name]!, name);
        assert.deepEqual(wasm.repeat[name], wasm.results[name], `${name}: a second run`);
      }
    });
  }

  it('transforms a batch of images in one call on wasm, as image by image, in every fill mode and interpolation', async () => {
    await selectBackend('wasm');
    const images = tf.randomUniform([3, 6, 5, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const transforms = tf.tensor2d([[0.99, -0.14, 0.6, 0.14, 0.99, -0.4, 0, 0], [1, 0, 1.5, 0, 1, -0.5, 0, 0], [1, 0, 0, 0, 1, 0, 0.01, 0]]);
    for (const fill of ['constant', 'reflect', 'wrap', 'nearest'] as const) {
      for (const interpolation of ['bilinear', 'nearest'] as const) {
        const batched = tf.image.transform(images, transforms, interpolation, fill, 0.5);
        const single = tf.concat(tf.split(images, 3, 0).map((image, i) => tf.image.transform(image as tf.Tensor4D, transforms.slice([i, 0], [1, 8]) as tf.Tensor2D, interpolation, fill, 0.5)), 0);
        assert.deepEqual(Array.from(batched.dataSync()), Array.from(single.dataSync()), `${fill}, ${interpolation}`);
      }
    }
    // RandomRotation on a batch: one Transform kernel, not one per image.
    const layer = new RandomRotation({ factor: 0.1, seed: 1 });
    const profile = await tf.profile(() => layer.apply(tf.randomUniform([8, 6, 6, 1]), { training: true }) as tf.Tensor);
    assert.equal(profile.kernels.filter((kernel) => kernel.name === 'Transform').length, 1);
  });

  it('refuses a gather index out of range with the backend\'s message', async () => {
    await selectBackend('wasm');
    assert.throws(() => tf.gather(tf.tensor2d([[1, 2], [3, 4]]), [0, 2]), /GatherV2: the index value 2 is not in \[0, 1\]/);
  });
});

describe('the compiled kernels', () => {
  it('are what wasm/kernels.ts compiles to (npm run wasm)', () => {
    // Exits 1, naming the file, when trainer/wasm/binaries.ts is stale.
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'wasm.mjs'), '--check'], { cwd: repoRoot, stdio: 'pipe', timeout: 120_000 });
  });
});
