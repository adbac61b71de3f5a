/**
 * `images(...)`: a folder of class folders read as Keras's
 * `image_dataset_from_directory` reads it. The files are listed first, so
 * the features go into one Float32Array of the whole set; then each image
 * is read, decoded, converted to the wanted channels and resized straight
 * into its place, one file at a time: memory is the decoded set plus one
 * image.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listImageFolder } from '../../host/imageFolder';
import { fileProblem } from '../fileErrors';
import { decodeImage, resizeBilinear, toChannels } from './imageDecode';
import { DataError } from './errors';
import { fitInput } from './shape';
import type { RawData } from './types';

export interface ImageFolderOptions {
  /** The path as the .net file writes it, for messages. */
  path: string;
  /** The path resolved against the .net file's folder. */
  dir: string;
  /** Height and width every image is resized to. */
  size: [number, number];
  channels: 1 | 3;
  scale: number;
  inputShape: number[];
}

export async function loadImageFolder(options: ImageFolderOptions): Promise<RawData> {
  const { path, dir, size, channels, scale } = options;
  const listing = await listImageFolder(dir).catch((error: unknown) => {
    throw new DataError(`cannot read the image folder ${path}: ${fileProblem(error, dir)}`, { file: dir });
  });
  if (!('classes' in listing)) {
    if (listing.problem === 'missing') throw new DataError(`image folder '${path}' not found`, { file: dir });
    if (listing.problem === 'not-regular') throw new DataError(`${path} is ${listing.detail ?? 'not a folder'}: images() takes a folder holding one folder of images per class`, { file: dir });
    throw new DataError(`cannot read the image folder ${path}: ${listing.detail ?? 'the read failed'}`, { file: dir });
  }
  if (listing.classes.length === 0) throw new DataError(`${path} has no class folders: put each class's images in a folder of its own`, { file: dir });
  const empty = listing.classes.find((item) => item.files.length === 0);
  if (empty) throw new DataError(`class folder ${path}/${empty.name} holds no images (.png, .jpg, .jpeg)`, { file: join(dir, empty.name) });

  const [height, width] = size;
  const sampleSize = height * width * channels;
  const featureShape = fitInput(sampleSize, null, options.inputShape, `images("${path}")`, { file: dir });
  const count = listing.classes.reduce((sum, item) => sum + item.files.length, 0);
  const features = new Float32Array(count * sampleSize);
  const labels: string[] = [];
  for (const item of listing.classes) {
    for (const name of item.files) {
      const file = join(dir, item.name, name);
      const shown = `${path.replace(/\/+$/, '')}/${item.name}/${name}`;
      const bytes = await readFile(file).catch((error: unknown) => {
        throw new DataError(`cannot read the image ${shown}: ${fileProblem(error, file)}`, { file });
      });
      const image = decodeImage(bytes, shown, file);
      const pixels = toChannels(image, channels);
      const target = features.subarray(labels.length * sampleSize, (labels.length + 1) * sampleSize);
      resizeBilinear(pixels, image.height, image.width, channels, target, height, width);
      if (scale !== 1) for (let i = 0; i < target.length; i++) target[i]! *= scale;
      labels.push(item.name);
    }
  }
  return { features, labels, count, featureShape, name: path };
}
