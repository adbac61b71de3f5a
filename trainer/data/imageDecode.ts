/**
 * PNG and JPEG files as pixels, in pure JavaScript (the standalone trainer
 * is one bundle): pngjs for PNG (chosen by measurement, bench/README.md),
 * jpeg-js for JPEG. The format is told by the file's content, not its name.
 * Then the pixels as Keras makes them: grey or RGB, alpha dropped, resized
 * bilinearly with half-pixel centres and no antialiasing
 * (`tf.image.resize(..., method="bilinear")`).
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from './errors';

/** A decoded image: 8-bit RGBA, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Larger images than this are refused before decoding (jpeg-js's own guard), so that a huge file cannot exhaust memory. */
const MAX_MEGAPIXELS = 100;

/** Decodes a PNG or JPEG file's bytes; anything else, or a broken file, is a DataError naming `shown`. */
export function decodeImage(bytes: Uint8Array, shown: string, file: string): DecodedImage {
  const format = formatOf(bytes);
  try {
    if (format === 'PNG') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: png.data };
    }
    if (format === 'JPEG') {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
      return { width: image.width, height: image.height, rgba: image.data };
    }
  } catch (error) {
    throw new DataError(`${shown}: cannot decode the ${format} image: ${(error as Error).message}`, { file });
  }
  const what = format ? `a ${format} image` : 'neither a PNG nor a JPEG image';
  throw new DataError(`${shown} is ${what}; images() reads PNG and JPEG files: convert it, or move it out of the folder`, { file });
}

function formatOf(bytes: Uint8Array): 'PNG' | 'JPEG' | 'GIF' | 'BMP' | undefined {
  const starts = (...prefix: number[]) => prefix.every((byte, i) => bytes[i] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'PNG';
  if (starts(0xff, 0xd8, 0xff)) return 'JPEG';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'GIF';
  if (starts(0x42, 0x4d)) return 'BMP';
  return undefined;
}

/**
 * The image with 1 (grey) or 3 (RGB) channels, as floats 0–255; alpha is
 * dropped, as TensorFlow's decoders do. Grey from colour is ITU-R BT.601
 * luma (0.299 R + 0.587 G + 0.114 B), rounded as libjpeg and libpng round it.
 */
export function toChannels(image: DecodedImage, channels: 1 | 3): Float32Array {
  const { rgba } = image;
  const count = image.width * image.height;
  const out = new Float32Array(count * channels);
  for (let i = 0; i < count; i++) {
    const r = rgba[i * 4]!;
    const g = rgba[i * 4 + 1]!;
    const b = rgba[i * 4 + 2]!;
    if (channels === 1) out[i] = r === g && g === b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out[i * 3] = r;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = b;
    }
  }
  return out;
}

/**
 * Bilinear resize of `source` (inHeight × inWidth × channels) into `target`
 * (outHeight × outWidth × channels), with half-pixel centres and no
 * antialiasing: TensorFlow's `resize_bilinear(half_pixel_centers=True)`,
 * computed in the same order as tfjs's `resizeBilinear(x, size, false, true)`.
 */
export function resizeBilinear(source: Float32Array, inHeight: number, inWidth: number, channels: number, target: Float32Array, outHeight: number, outWidth: number): void {
  if (inHeight === outHeight && inWidth === outWidth) {
    target.set(source);
    return;
  }
  const rowRatio = inHeight / outHeight;
  const colRatio = inWidth / outWidth;
  for (let r = 0; r < outHeight; r++) {
    const sourceRow = (r + 0.5) * rowRatio - 0.5;
    const top = Math.max(0, Math.floor(sourceRow));
    const bottom = Math.min(inHeight - 1, Math.ceil(sourceRow));
    const rowFrac = sourceRow - Math.floor(sourceRow);
    for (let c = 0; c < outWidth; c++) {
      const sourceCol = (c + 0.5) * colRatio - 0.5;
      const left = Math.max(0, Math.floor(sourceCol));
      const right = Math.min(inWidth - 1, Math.ceil(sourceCol));
      const colFrac = sourceCol - Math.floor(sourceCol);
      for (let d = 0; d < channels; d++) {
        const topLeft = source[(top * inWidth + left) * channels + d]!;
        const topRight = source[(top * inWidth + right) * channels + d]!;
        const bottomLeft = source[(bottom * inWidth + left) * channels + d]!;
        const bottomRight = source[(bottom * inWidth + right) * channels + d]!;
        const upper = topLeft + (topRight - topLeft) * colFrac;
        const lower = bottomLeft + (bottomRight - bottomLeft) * colFrac;
        target[(r * outWidth + c) * channels + d] = upper + (lower - upper) * rowFrac;
      }
    }
  }
}
