/**
 * Shape arithmetic shared by the layer rules, written to give the numbers
 * tfjs-layers computes (conv_utils.convOutputLength, deconvLength).
 */
import { ShapeError, type Dim, type Shape } from './types';

export function formatDim(dim: Dim): string {
  return dim === null ? 'None' : String(dim);
}

/** `(None, 28, 28, 1)`, as Keras prints shapes. */
export function formatShape(shape: Shape): string {
  return `(${shape.map(formatDim).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1466136 → `1,466,136`. */
export function formatCount(value: number): string {
  return INTEGER.format(value);
}

/** Product of the non-batch dimensions, or null when one is unknown. */
export function elementCount(shape: Shape): number | null {
  let count = 1;
  for (const dim of shape.slice(1)) {
    if (dim === null) return null;
    count *= dim;
  }
  return count;
}

/** Throws unless the input has exactly `rank` dimensions (batch included). */
export function requireRank(layer: string, input: Shape, rank: number, layout: string): void {
  if (input.length !== rank) {
    // Grayscale images are often declared without their channel axis.
    const hint = rank >= 3 && input.length === rank - 1 && layout.endsWith(', c)') ? `; for one channel, add an axis of 1: [${[...input.slice(1), 1].map(formatDim).join(', ')}]` : '';
    throw new ShapeError('rank-mismatch', `${layer} needs a rank-${rank} input ${layout}; got ${formatShape(input)}${hint}`);
  }
}

export function requireMinRank(layer: string, input: Shape, rank: number, layout: string): void {
  if (input.length < rank) {
    throw new ShapeError('rank-mismatch', `${layer} needs an input of rank ${rank} or more ${layout}; got ${formatShape(input)}`);
  }
}

/** The last dimension, which weights are sized by; it must be known. */
export function knownLastDim(layer: string, input: Shape): number {
  const last = input[input.length - 1];
  if (last === null || last === undefined) {
    throw new ShapeError('unknown-dimension', `${layer} needs a known last dimension; got ${formatShape(input)}`);
  }
  return last;
}

export function convOutputLength(input: Dim, kernel: number, padding: string, stride: number, dilation = 1): Dim {
  if (input === null) return null;
  const dilatedKernel = kernel + (kernel - 1) * (dilation - 1);
  const length = padding === 'same' ? input : input - dilatedKernel + 1;
  return Math.floor((length + stride - 1) / stride);
}

export function deconvLength(input: Dim, stride: number, kernel: number, padding: string): Dim {
  if (input === null) return null;
  return padding === 'valid' ? input * stride + Math.max(kernel - stride, 0) : input * stride;
}

/**
 * Output sizes of a sliding window over the spatial dimensions; throws
 * kernel-too-large when a `valid` window does not fit its input.
 */
export function slideWindow(
  layer: string,
  what: 'kernel' | 'pool',
  spatial: Dim[],
  window: number[],
  strides: number[],
  padding: string,
  dilation?: number[],
): Dim[] {
  const result = spatial.map((dim, i) => convOutputLength(dim, window[i]!, padding, strides[i]!, dilation?.[i] ?? 1));
  if (result.some((dim) => dim !== null && dim < 1)) {
    const effective = window.map((k, i) => k + (k - 1) * ((dilation?.[i] ?? 1) - 1));
    throw new ShapeError(
      'kernel-too-large',
      `${layer} ${what} ${effective.join('×')} is larger than its input ${spatial.map(formatDim).join('×')}`,
      what === 'kernel' ? 'kernel_size' : 'pool_size',
    );
  }
  return result;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/** Normalises a possibly negative axis against a rank; undefined when out of range. */
export function normaliseAxis(axis: number, rank: number): number | undefined {
  const result = axis < 0 ? rank + axis : axis;
  return result >= 0 && result < rank ? result : undefined;
}
