/**
 * Whether a model's input is an image, and samples turned into pixels to
 * look at: 0–255 integers, row-major height × width × channels.
 */
import type { DataSourceUse, Network } from '../../core';
import type { ImageShape } from '../../protocol/training';
import { product } from './shape';

/** Sides shorter than this are not taken for an image. */
const MIN_SIDE = 4;
/** A rank-2 shape is an image (rather than a sequence of feature vectors) only when neither side is more than this many times the other. */
const MAX_ASPECT = 4;

/**
 * `[h, w, 1]` or `[h, w, 3]` as an image of that many channels; `[h, w]` as a
 * grey one when it is roughly square (a long thin `[steps, features]` is a
 * sequence). Anything else is not an image.
 */
export function imageLike(shape: readonly (number | null)[]): ImageShape | undefined {
  if (shape.some((dim) => dim === null)) return undefined;
  const [height, width, channels] = shape as number[];
  if (height < MIN_SIDE || width < MIN_SIDE) return undefined;
  if (shape.length === 3 && (channels === 1 || channels === 3)) return { height, width, channels };
  if (shape.length === 2 && Math.max(height, width) <= MAX_ASPECT * Math.min(height, width)) return { height, width, channels: 1 };
  return undefined;
}

/**
 * The image layout of the model's first input, if it takes images: an input
 * shaped as one; a flat input whose only consumer is a Reshape to one; or a
 * flat input fed by a data source that declares its samples to be images
 * (a csv() given an image `shape`, or a source such as mnist() whose
 * samples are images reshaped to fit).
 */
export function imageShapeOf(network: Network, source: DataSourceUse | undefined): ImageShape | undefined {
  const input = network.inputs[0];
  const shape = input?.outputShape?.slice(1);
  if (!input || !shape || shape.some((dim) => dim === null)) return undefined;
  const own = imageLike(shape);
  if (own || shape.length !== 1) return own;
  const size = shape[0] as number;
  const fits = (image: ImageShape | undefined): ImageShape | undefined => (image && image.height * image.width * image.channels === size ? image : undefined);

  const consumers = network.layers.filter((layer) => layer.connected && layer !== input && layer.inbound.includes(input.name));
  if (consumers.length === 1 && consumers[0]!.type === 'Reshape' && consumers[0]!.outputShape) {
    const reshaped = fits(imageLike(consumers[0]!.outputShape.slice(1)));
    if (reshaped) return reshaped;
  }
  if (!source) return undefined;
  const declared = source.args.values['shape'];
  if (Array.isArray(declared) && declared.every((dim) => typeof dim === 'number')) return fits(imageLike(declared as number[]));
  if (source.spec.reshapes) {
    const natural = source.spec.features?.(source.args.values);
    if (natural && product(natural) === size) return fits(imageLike(natural));
  }
  return undefined;
}

/**
 * The given rows of row-major features as pixels, each value mapped from the
 * range these rows span (their minimum and maximum) onto 0–255. Rows whose
 * values are all equal come out black.
 */
export function toPixels(features: Float32Array, size: number, rows: readonly number[]): number[][] {
  let low = Infinity;
  let high = -Infinity;
  for (const row of rows) {
    for (let at = row * size; at < (row + 1) * size; at++) {
      const value = features[at]!;
      if (!Number.isFinite(value)) continue;
      if (value < low) low = value;
      if (value > high) high = value;
    }
  }
  const span = high - low;
  return rows.map((row) => {
    const pixels = new Array<number>(size);
    for (let i = 0; i < size; i++) {
      const value = features[row * size + i]!;
      pixels[i] = span > 0 && Number.isFinite(value) ? Math.round(((value - low) / span) * 255) : 0;
    }
    return pixels;
  });
}

/**
 * Up to `limit` rows, as even over the classes as they allow: each class's
 * first row, then each one's second, and so on. Returned by class, then by
 * row.
 */
export function pickByClass(classIndices: Int32Array, classCount: number, limit: number): number[] {
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  classIndices.forEach((label, row) => {
    if (byClass[label]!.length < limit) byClass[label]!.push(row);
  });
  const picked: number[][] = byClass.map(() => []);
  let taken = 0;
  for (let round = 0; taken < limit; round++) {
    let any = false;
    for (let label = 0; label < classCount && taken < limit; label++) {
      const row = byClass[label]![round];
      if (row === undefined) continue;
      picked[label]!.push(row);
      taken++;
      any = true;
    }
    if (!any) break;
  }
  return picked.flat();
}
