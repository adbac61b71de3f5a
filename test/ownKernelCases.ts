/**
 * The cases that hold the trainer's own wasm kernels (trainer/wasm/ownKernels)
 * against the cpu backend, run by test/ownKernels.test.ts in processes of
 * their own: one per wasm build and thread count, since a process starts its
 * wasm backend once.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../trainer/backends';
import { ownKernels } from '../trainer/wasm/ownKernels';

/** Deterministic values in [-1, 1). */
function random(shape: number[], seed: number): tf.Tensor {
  let state = seed;
  const values = Array.from({ length: tf.util.sizeFromShape(shape) }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
  return tf.tensor(values, shape);
}

/** The output and the gradient of a weighted sum of it with respect to every input. */
function withGradients(f: (...xs: tf.Tensor[]) => tf.Tensor, ...inputs: tf.Tensor[]): tf.Tensor[] {
  const y = f(...inputs);
  const weights = random(y.shape, 99);
  return [y, ...tf.grads((...xs: tf.Tensor[]) => f(...xs).mul(weights).sum())(inputs)];
}

/**
 * Products m×k by k×n: a single element, batch 1, odd sizes on every edge
 * of the 4×8 tile, depths across the 256-deep blocks, and sizes that split
 * over threads by rows and by columns.
 */
export const PRODUCT_SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 5, 3],
  [1, 300, 17],
  [3, 5, 4],
  [7, 13, 9],
  [33, 257, 41],
  [64, 600, 128],
  [130, 70, 33],
  [517, 9, 611],
];

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'leakyrelu', 'elu', 'sigmoid', 'prelu'] as const;

/** Named computations, each giving tensors to compare. */
export function cases(): [string, () => tf.Tensor[]][] {
  const list: [string, () => tf.Tensor[]][] = [];
  for (const [m, k, n] of PRODUCT_SIZES) {
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      list.push([`matMul ${m}×${k}×${n} ${transposeA ? 'aᵀ' : 'a'}·${transposeB ? 'bᵀ' : 'b'} and its gradients`, () => {
        const a = random(transposeA ? [k, m] : [m, k], m + k);
        const b = random(transposeB ? [n, k] : [k, n], k + n);
        return withGradients((x, y) => tf.matMul(x!, y!, transposeA, transposeB), a, b);
      }]);
    }
  }
  list.push(['a batch of products, and its gradients', () => withGradients((x, y) => tf.matMul(x!, y!), random([3, 5, 7], 1), random([3, 7, 6], 2))]);
  // Forward only: tfjs's gradient of a broadcast batch fails on every backend (its shape is the batch's).
  list.push(['a batch of products by one matrix', () => [tf.matMul(random([2, 2, 5, 7], 3), random([6, 7], 4), false, true)]]);
  list.push(['one matrix by a batch', () => [tf.matMul(random([7, 5], 5), random([4, 7, 9], 6), true, false)]]);
  for (const [m, k, n] of [[9, 300, 13], [64, 600, 128]] as const) {
    for (const activation of ACTIVATIONS) {
      list.push([`fused matMul ${m}×${k}×${n} with a bias and ${activation}, and its gradients`, () => {
        const prelu = activation === 'prelu' ? random([n], 8).abs() : undefined;
        return withGradients(
          (x, y, bias) => tf.fused.matMul({ a: x!, b: y!, bias, activation, leakyreluAlpha: 0.1, ...(prelu ? { preluActivationWeights: prelu } : {}) }),
          random([m, k], 9),
          random([k, n], 10),
          random([n], 11),
        );
      }]);
    }
  }
  list.push(['fused matMul with transposed operands and no bias', () => [tf.fused.matMul({ a: random([300, 9], 12), b: random([13, 300], 13), transposeA: true, transposeB: true, activation: 'relu' })]]);
  const convolutions: [string, number[], number[], number | [number, number], 'valid' | 'same'][] = [
    ['3×3 valid over 32 channels', [2, 9, 8, 32], [3, 3, 32, 8], 1, 'valid'],
    ['3×3 same, stride 2, over one channel', [3, 7, 6, 1], [3, 3, 1, 5], 2, 'same'],
    ['2×4 same, strides (2, 1), over 3 channels', [1, 5, 8, 3], [2, 4, 3, 9], [2, 1], 'same'],
  ];
  for (const [name, x, filter, strides, pad] of convolutions) {
    list.push([`conv2d ${name}, and its gradients`, () => withGradients((a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, strides, pad), random(x, 17), random(filter, 18))]);
  }
  for (const [name, x, size, strides, pad] of [
    ['2×2 over 32 channels', [2, 9, 8, 32], 2, 2, 'valid'],
    ['3×3, stride 2, same, over 6 channels', [2, 7, 7, 6], 3, 2, 'same'],
    ['2×2 over one channel, with ties', [1, 4, 4, 1], 2, 1, 'valid'],
  ] as const) {
    list.push([`max pooling ${name}, and its gradient`, () => {
      // Windows of values at most zero, and ties (rounded values), where the first maximum must win.
      const input = name.includes('ties') ? random(x as unknown as number[], 19).mul(2).round() : random(x as unknown as number[], 19).sub(0.5);
      return withGradients((a) => tf.maxPool(a as tf.Tensor4D, size, strides, pad), input);
    }]);
  }
  list.push(['batch normalization over the last axis, with offset and scale, and without', () => {
    const x = random([4, 3, 5, 6], 20);
    const [mean, variance] = [random([6], 21), random([6], 22).abs().add(0.1)];
    return [tf.batchNorm(x, mean, variance, random([6], 23), random([6], 24), 0.001), tf.batchNorm(x, mean, variance, undefined, undefined, 0.01), tf.batchNorm(random([9, 7], 25), random([7], 26), random([7], 27).abs())];
  }]);
  list.push(['sums and means over leading axes, kept or not', () => {
    const x = random([4, 5, 3, 7], 28);
    return [tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1, 2], true), tf.sum(x, 0), tf.mean(random([33, 5], 29), 0), tf.sum(random([6, 1], 30), 0)];
  }]);
  list.push(['the gradients of sums and means over leading, middle and all axes', () => {
    const x = random([4, 5, 3, 7], 40);
    return [
      ...withGradients((a) => tf.sum(a!, [0, 1, 2]), x),
      ...withGradients((a) => tf.mean(a!, [0, 1, 2], true), x),
      ...withGradients((a) => tf.mean(a!, 1), x),
      ...withGradients((a) => tf.sum(a!, [1, 3], true), x),
      ...withGradients((a) => tf.mean(a!).reshape([1]), x),
    ];
  }]);
  list.push(['a cast to the same dtype and an identity, then a new value from each', () => {
    const x = random([3, 4], 31);
    const [cast, same] = [tf.cast(x, 'float32'), tf.clone(x)];
    return [cast, same, cast.add(1), same.mul(2), tf.cast(tf.tensor1d([1, 2, 3], 'int32'), 'int32').cast('float32')];
  }]);
  for (const [name, op] of [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div]] as const) {
    list.push([`${name} of equal shapes, by a scalar, by one value per channel (both sides), and broadcast otherwise, with gradients`, () => {
      // Sizes on both sides of the kernel's threshold and of the split over threads; 7 channels, not a multiple of 4.
      const big = random([70, 33, 7], 32);
      const small = random([5, 7], 33);
      const positive = (t: tf.Tensor): tf.Tensor => t.abs().add(0.5);
      return [
        ...withGradients((x, y) => op(x!, y!), big, positive(random([70, 33, 7], 34))),
        ...withGradients((x, y) => op(x!, y!), big, positive(random([7], 35))),
        ...withGradients((x, y) => op(x!, y!), positive(random([1, 1, 7], 36)), positive(big)),
        op(big, tf.scalar(1.5)),
        op(tf.scalar(2), positive(big)),
        op(small, positive(random([7], 37))),
        op(random([70, 1, 7], 38), positive(random([1, 33, 7], 39))),
      ];
    }]);
  }
  list.push(['gather of rows, and its gradient', () => withGradients((x) => tf.gather(x!, [3, 0, 3, 7, 1]), random([8, 5], 14))]);
  list.push(['gather along a middle axis with 2-D indices', () => [tf.gather(random([3, 6, 4], 15), tf.tensor2d([[5, 0], [2, 2]], [2, 2], 'int32'), 1)]]);
  list.push(['gather with batch dimensions', () => [tf.gather(random([2, 5, 3], 16), tf.tensor2d([[4, 1], [0, 0]], [2, 2], 'int32'), 1, 1)]]);
  list.push(['gather of int32 and bool values', () => [tf.gather(tf.range(0, 12, 1, 'int32').reshape([4, 3]), [2, 2, 0]), tf.gather(tf.tensor1d([true, false, true], 'bool'), [1, 0]).cast('int32')]]);
  return list;
}

export interface CaseResults {
  build: string | undefined;
  threads: number;
  /** Products and Adam steps these kernels ran. */
  calls: Record<string, number>;
  results: Record<string, number[][]>;
}

/** Every case on `backend`, twice on wasm, to show that a run repeats exactly. */
export async function runCases(backend: 'cpu' | 'wasm', wasmThreads = 1): Promise<CaseResults & { repeat?: Record<string, number[][]> }> {
  await selectBackend(backend, { wasmThreads });
  const compute = (): Record<string, number[][]> => Object.fromEntries(cases().map(([name, f]) => [name, tf.tidy(() => f().map((t) => Array.from(t.dataSync())))]));
  const results = compute();
  const kernels = backend === 'wasm' ? ownKernels(tf.backend() as BackendWasm) : undefined;
  return {
    build: kernels?.build,
    threads: kernels?.threads ?? 0,
    calls: { ...(kernels?.calls ?? {}) },
    results,
    ...(backend === 'wasm' ? { repeat: compute() } : {}),
  };
}
