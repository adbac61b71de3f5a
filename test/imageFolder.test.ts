/**
 * images(...): class folders of real PNG and JPEG files written by encoders
 * with known pixels; decoded values, the resize against tfjs, every error at
 * its file, the checker's diagnostics at their ranges, and training.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { analyze, type Diagnostic } from '../core';
import { analyzeWithDataFiles, DataFiles } from '../host/fileDataHost';
import type { EpochEvent, TrainerEvent } from '../protocol/training';
import { DataError } from '../trainer/data';
import { decodeImage, resizeBilinear } from '../trainer/data/imageDecode';
import { loadImageFolder, type ImageFolderOptions } from '../trainer/data/imageFolder';
import { prepareData } from '../trainer/dataset';
import { runTraining } from '../trainer/engine';
import { projectExamples, scratchFolders } from './support';

const scratch = scratchFolders('images');
// The trainer's modules register wasm first; tfjs as the reference here runs on its plain CPU backend.
before(async () => {
  await tf.setBackend('cpu');
});

function write(path: string, bytes: Uint8Array): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** A grey 8-bit PNG from pngjs's encoder. */
const greyPng = (width: number, height: number, values: number[]): Buffer =>
  PNG.sync.write({ width, height, data: Buffer.from(values) }, { colorType: 0, inputColorType: 0, inputHasAlpha: false });

const rgbaPng = (width: number, height: number, values: number[], colorType: 2 | 4 | 6 = 6, bitDepth: 8 | 16 = 8): Buffer =>
  PNG.sync.write({ width, height, data: bitDepth === 16 ? new Uint16Array(values) : Buffer.from(values) }, { colorType, inputColorType: 6, bitDepth });

/** A PNG assembled chunk by chunk, for what pngjs's encoder cannot write: palettes and Adam7 interlacing. */
function rawPng(header: { width: number; height: number; depth: number; colorType: number; interlace: 0 | 1 }, scanlines: Buffer, extra: [string, Buffer][] = []): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(header.width, 0);
  ihdr.writeUInt32BE(header.height, 4);
  ihdr.set([header.depth, header.colorType, 0, 0, header.interlace], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), ...extra.map(([type, data]) => chunk(type, data)), chunk('IDAT', deflateSync(scanlines)), chunk('IEND', Buffer.alloc(0))]);
}

/** Grey 8-bit pixels as Adam7's seven passes of unfiltered scanlines. */
function adam7(width: number, height: number, pixel: (x: number, y: number) => number): Buffer {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  const bytes: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    if (x0! >= width || y0! >= height) continue;
    for (let y = y0!; y < height; y += dy!) {
      bytes.push(0);
      for (let x = x0!; x < width; x += dx!) bytes.push(pixel(x, y));
    }
  }
  return Buffer.from(bytes);
}

const decoded = (bytes: Buffer) => Array.from(decodeImage(bytes, 'x.png', '/x.png').rgba);
const load = (dir: string, options: Partial<ImageFolderOptions> = {}) =>
  loadImageFolder({ path: 'imgs', dir, size: [2, 2], channels: 1, scale: 1, inputShape: [2, 2, 1], ...options });

describe('PNG and JPEG decoding', () => {
  it('decodes grey, RGB, RGBA, grey and alpha, and 16-bit PNGs to their exact pixels', () => {
    assert.deepEqual(decoded(greyPng(2, 1, [7, 200])), [7, 7, 7, 255, 200, 200, 200, 255]);
    const rgba = [10, 20, 30, 40, 250, 128, 0, 255];
    assert.deepEqual(decoded(rgbaPng(2, 1, rgba)), rgba);
    const opaque = [10, 20, 30, 255, 250, 128, 0, 255];
    assert.deepEqual(decoded(rgbaPng(2, 1, opaque, 2)), opaque);
    assert.deepEqual(decoded(rgbaPng(2, 1, [40, 40, 40, 100, 9, 9, 9, 0], 4)), [40, 40, 40, 100, 9, 9, 9, 0]);
    // 16-bit samples come down to 8 bits: 0x8080 is 128, 0xffff 255.
    assert.deepEqual(decoded(rgbaPng(1, 1, [0x8080, 0, 0xffff, 0xffff], 6, 16)), [128, 0, 255, 255]);
  });

  it('decodes palette and interlaced PNGs', () => {
    const palette = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const indexed = rawPng({ width: 3, height: 1, depth: 8, colorType: 3, interlace: 0 }, Buffer.from([0, 2, 0, 1]), [['PLTE', palette]]);
    assert.deepEqual(decoded(indexed), [0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0, 255]);
    const pixel = (x: number, y: number) => (x * 17 + y * 29) % 256;
    const interlaced = rawPng({ width: 9, height: 9, depth: 8, colorType: 0, interlace: 1 }, adam7(9, 9, pixel));
    const grey = decoded(interlaced).filter((_, i) => i % 4 === 0);
    assert.deepEqual(grey, Array.from({ length: 81 }, (_, i) => pixel(i % 9, Math.floor(i / 9))));
  });

  it('decodes a flat-coloured JPEG to its colour, within the format\'s loss', () => {
    const data = Buffer.alloc(16 * 16 * 4);
    for (let i = 0; i < 256; i++) data.set([200, 100, 50, 255], i * 4);
    const bytes = jpeg.encode({ width: 16, height: 16, data }, 95).data;
    const pixels = decodeImage(bytes, 'x.jpg', '/x.jpg').rgba;
    for (let i = 0; i < 256; i++) {
      for (const [channel, want] of [[0, 200], [1, 100], [2, 50]] as const) assert.ok(Math.abs(pixels[i * 4 + channel]! - want) <= 2, `pixel ${i} channel ${channel}: ${pixels[i * 4 + channel]}`);
    }
  });

  it('resizes as tfjs resizeBilinear with half-pixel centres, up and down', () => {
    const source = Float32Array.from({ length: 5 * 7 * 3 }, (_, i) => (i * 37) % 256);
    for (const [height, width] of [[3, 4], [9, 11], [5, 2], [1, 1]] as const) {
      const target = new Float32Array(height * width * 3);
      resizeBilinear(source, 5, 7, 3, target, height, width);
      const reference = tf.tidy(() => tf.image.resizeBilinear(tf.tensor3d(source, [5, 7, 3]), [height, width], false, true).dataSync());
      target.forEach((value, i) => assert.ok(Math.abs(value - reference[i]!) < 1e-3, `[${height}, ${width}] value ${i}: ${value} against ${reference[i]}`));
    }
  });
});

describe('loading an image folder', () => {
  it('reads the classes in sorted order, by content, with grey from colour, resized and scaled', async () => {
    const dir = scratch();
    write(join(dir, 'b', 'one.png'), greyPng(2, 2, [0, 10, 20, 30]));
    // A PNG named .jpg is read as the PNG it is; a nested folder is part of its class.
    write(join(dir, 'b', 'deep', 'two.jpg'), greyPng(4, 4, Array.from({ length: 16 }, () => 40)));
    write(join(dir, 'a', 'red.png'), rgbaPng(2, 2, Array.from({ length: 4 }, () => [255, 0, 0, 255]).flat()));
    write(join(dir, 'a', 'notes.txt'), Buffer.from('ignored'));
    write(join(dir, 'stray.png'), greyPng(2, 2, [1, 2, 3, 4]));
    const data = await load(dir, { scale: 0.5 });
    assert.deepEqual(Array.from(data.labels), ['a', 'b', 'b']);
    assert.deepEqual(data.featureShape, [2, 2, 1]);
    assert.deepEqual(Array.from(data.features), [38, 38, 38, 38, 20, 20, 20, 20, 0, 5, 10, 15]);
  });

  it('gives [h, w, 3] for rgb and fits a flat input', async () => {
    const dir = scratch();
    write(join(dir, 'x', '1.png'), rgbaPng(1, 1, [1, 2, 3, 4]));
    const data = await load(dir, { size: [1, 1], channels: 3, inputShape: [3] });
    assert.deepEqual(data.featureShape, [3]);
    assert.deepEqual(Array.from(data.features), [1, 2, 3]);
  });

  const refused = async (dir: string, file: string, options: Partial<ImageFolderOptions> = {}) => {
    await assert.rejects(load(dir, options), (error: unknown) => {
      assert.ok(error instanceof DataError, String(error));
      assert.equal(error.file, file);
      return true;
    });
  };

  it('names the file of a broken, a GIF or an unknown image', async () => {
    const broken = scratch();
    write(join(broken, 'a', 'ok.png'), greyPng(2, 2, [0, 0, 0, 0]));
    const bad = write(join(broken, 'a', 'bad.png'), greyPng(2, 2, [0, 0, 0, 0]).subarray(0, 40));
    await refused(broken, bad);
    const gif = scratch();
    await refused(gif, write(join(gif, 'a', 'x.gif'), Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')));
    const text = scratch();
    await refused(text, write(join(text, 'a', 'x.jpeg'), Buffer.from('not an image')));
  });

  it('refuses a missing folder, a file, no class folders and an empty class folder', async () => {
    const dir = scratch();
    await refused(join(dir, 'none'), join(dir, 'none'));
    const file = write(join(dir, 'file.png'), greyPng(2, 2, [0, 0, 0, 0]));
    await refused(file, file);
    const flat = scratch();
    write(join(flat, 'a.png'), greyPng(2, 2, [0, 0, 0, 0]));
    await refused(flat, flat);
    const empty = scratch();
    write(join(empty, 'a', '1.png'), greyPng(2, 2, [0, 0, 0, 0]));
    mkdirSync(join(empty, 'b'));
    await refused(empty, join(empty, 'b'));
  });

  it('holds out a stratified fraction for validation = 0.2', async () => {
    const dir = scratch();
    for (const name of ['cat', 'dog']) for (let i = 0; i < 10; i++) write(join(dir, 'imgs', name, `${i}.png`), greyPng(4, 4, Array.from({ length: 16 }, () => i)));
    const text = `model M {\n  input x: [4, 4, 1]\n  x -> Flatten() -> Dense(2, activation=softmax)\n}\ntrain M {\n  data = images("imgs", size=[4, 4], color=grayscale)\n  validation = 0.2\n  loss = categorical_crossentropy\n}\n`;
    const analysis = analyze(text);
    const block = analysis.trainBlocks[0]!;
    const prepared = await prepareData(block, block.models[0]!, { baseDir: dir, seed: 1 });
    try {
      assert.deepEqual(prepared.classes, ['cat', 'dog']);
      assert.deepEqual(prepared.overview.labelCounts, { train: [8, 8], validation: [2, 2] });
      assert.deepEqual(prepared.imageShape, { height: 4, width: 4, channels: 1 });
      assert.equal(prepared.overview.images?.samples.length, 16);
    } finally {
      prepared.dispose();
    }
  });
});

describe('checking images(...) against the folder', () => {
  const model = (input: string, units: number) => `model M {\n  input x: ${input}\n  x -> Flatten() -> Dense(${units}, activation=softmax)\n}\n`;
  const check = async (dir: string, text: string): Promise<{ code: string; line: number; column: number }[]> => {
    const file = join(dir, 'model.net');
    writeFileSync(file, text);
    const analysis = await analyzeWithDataFiles(text, file);
    const at = (d: Diagnostic) => analysis.lines.positionAt(d.pos);
    return analysis.diagnostics.filter((d) => d.severity !== 'hint').map((d) => ({ code: d.code, line: at(d).line + 1, column: at(d).character + 1 }));
  };
  const folder = (classes: Record<string, number>): string => {
    const dir = scratch();
    for (const [name, count] of Object.entries(classes)) {
      mkdirSync(join(dir, 'train', name), { recursive: true });
      for (let i = 0; i < count; i++) write(join(dir, 'train', name, `${i}.png`), greyPng(2, 2, [0, 0, 0, 0]));
    }
    return dir;
  };
  const block = (data: string, extra = '') => `train M {\n  data = ${data}\n${extra}  loss = categorical_crossentropy\n}\n`;

  it('is clean when the folder fits the model', async () => {
    const dir = folder({ a: 1, b: 2, c: 1 });
    assert.deepEqual(await check(dir, model('[8, 8, 1]', 3) + block('images("train", size=[8, 8], color=grayscale)')), []);
  });

  it('reports the class count against the output units, at the units', async () => {
    const dir = folder({ a: 1, b: 2, c: 1 });
    assert.deepEqual(await check(dir, model('[8, 8, 1]', 2) + block('images("train", size=[8, 8], color=grayscale)')), [{ code: 'units-class-mismatch', line: 3, column: 27 }]);
  });

  it('reports a shape that does not fit the input, at size', async () => {
    const dir = folder({ a: 1, b: 1 });
    assert.deepEqual(await check(dir, model('[8, 8, 1]', 2) + block('images("train", size=[8, 8])')), [{ code: 'data-shape-mismatch', line: 6, column: 31 }]);
  });

  it('reports a missing folder, a file, no class folders and an empty class at the path', async () => {
    const dir = folder({ a: 1, b: 0 });
    write(join(dir, 'file.png'), greyPng(2, 2, [0, 0, 0, 0]));
    mkdirSync(join(dir, 'flat'));
    const cases: [string, string][] = [
      ['nowhere', 'data-file-not-found'],
      ['file.png', 'image-folder-not-directory'],
      ['flat', 'image-folder-no-classes'],
      ['train', 'image-class-empty'],
    ];
    for (const [path, code] of cases) {
      assert.deepEqual(await check(dir, model('[2, 2, 1]', 2) + block(`images("${path}", size=[2, 2], color=grayscale)`)), [{ code, line: 6, column: 17 }], path);
    }
  });

  it('reports a validation class the training folder lacks, at the validation path', async () => {
    const dir = folder({ a: 1, b: 1 });
    mkdirSync(join(dir, 'test', 'c'), { recursive: true });
    write(join(dir, 'test', 'c', '0.png'), greyPng(2, 2, [0, 0, 0, 0]));
    const text = model('[2, 2, 1]', 2) + block('images("train", size=[2, 2], color=grayscale)', '  validation = images("test", size=[2, 2], color=grayscale)\n');
    assert.deepEqual(await check(dir, text), [{ code: 'image-class-not-in-training', line: 7, column: 23 }]);
  });

  it('does not follow a link to a folder as a class', async () => {
    const dir = folder({ a: 1, b: 1 });
    symlinkSync(join(dir, 'train', 'a'), join(dir, 'train', 'link'));
    assert.deepEqual(await check(dir, model('[2, 2, 1]', 2) + block('images("train", size=[2, 2], color=grayscale)')), []);
  });
});

describe('the data host on image folders', () => {
  it('answers once listed, and, revalidating, lists again and tells of a change', async () => {
    const dir = scratch();
    write(join(dir, 'imgs', 'a', '1.png'), greyPng(2, 2, [0, 0, 0, 0]));
    const files = new DataFiles({ revalidate: true });
    const changed: string[] = [];
    files.onChange((file) => changed.push(file));
    const host = () => files.host(join(dir, 'model.net'));
    assert.equal(host().imageFolder!('imgs'), undefined);
    await files.idle();
    assert.deepEqual(host().imageFolder!('imgs'), { classes: [{ name: 'a', images: 1 }] });
    write(join(dir, 'imgs', 'b', '1.jpg'), greyPng(2, 2, [0, 0, 0, 0]));
    write(join(dir, 'imgs', 'b', '2.png'), greyPng(2, 2, [0, 0, 0, 0]));
    await files.idle();
    assert.deepEqual(host().imageFolder!('imgs'), { classes: [{ name: 'a', images: 1 }, { name: 'b', images: 2 }] });
    assert.deepEqual(changed, [join(dir, 'imgs'), join(dir, 'imgs')]);
  });
});

describe('training on an image folder', () => {
  it('learns the example\'s digits well above chance', async () => {
    const events: TrainerEvent[] = [];
    await runTraining({ type: 'start', file: join(projectExamples, 'digits_folders.net'), epochs: 8, backend: 'wasm', runsDir: join(scratch(), 'runs') }, (event) => events.push(event), { stopRequested: false });
    const last = events.filter((e): e is EpochEvent => e.type === 'epoch').at(-1);
    assert.ok(last, JSON.stringify(events.find((e) => e.type === 'failed')));
    const accuracy = last.metrics['val_acc'];
    assert.ok(typeof accuracy === 'number' && accuracy > 0.5, `val_acc ${accuracy}`);
    // The panel's Data and Evaluation tabs show the folder's images.
    const data = events.find((e) => e.type === 'data');
    const evaluation = events.find((e) => e.type === 'evaluation');
    assert.deepEqual(data?.type === 'data' && data.images?.shape, { height: 28, width: 28, channels: 1 });
    assert.deepEqual(evaluation?.type === 'evaluation' && evaluation.imageShape, { height: 28, width: 28, channels: 1 });
  });
});
