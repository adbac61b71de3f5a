/**
 * images(...): the PNG decoders against each other on real files (1,000
 * 28×28 grey PNGs and 50 256×256 RGB ones, written by pngjs's encoder), and
 * the peak memory of loading 20,000 small PNGs against the size of the
 * decoded set.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { decodeImage } from '../trainer/data/imageDecode';
import { loadImageFolder } from '../trainer/data/imageFolder';

export interface DecodeFigures {
  files: string;
  pngjsMs: number;
}

export interface ImageFolderFigures {
  decode: DecodeFigures[];
  images: number;
  /** Bytes of the decoded set: images × 28 × 28 × 4. */
  tensorBytes: number;
  /** The largest rise over the start, sampled while loading. */
  peakRssBytes: number;
  peakHeapAndBuffersBytes: number;
  seconds: number;
}

function png(width: number, height: number, colorType: 0 | 2, seed: number): Buffer {
  const channels = colorType === 0 ? 1 : 3;
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 13 + (i >> 5)) & 255;
  return PNG.sync.write({ width, height, data }, { colorType, inputColorType: colorType, inputHasAlpha: false });
}

/** The fastest of three passes over the files, in ms. */
function timed(files: Buffer[], decode: (bytes: Buffer) => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now();
    for (const file of files) decode(file);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** The decoder chosen (pngjs; the comparison that chose it is in bench/README.md), through the trainer's own decode. */
function measureDecoders(): DecodeFigures[] {
  const sets: [string, Buffer[]][] = [
    ['1,000 28×28 grey', Array.from({ length: 1000 }, (_, i) => png(28, 28, 0, i))],
    ['50 256×256 RGB', Array.from({ length: 50 }, (_, i) => png(256, 256, 2, i))],
  ];
  return sets.map(([files, bytes]) => ({
    files,
    pngjsMs: timed(bytes, (file) => decodeImage(file, 'x.png', 'x.png')),
  }));
}

export async function measureImageFolders(images = 20_000): Promise<ImageFolderFigures> {
  const decode = measureDecoders();
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-images-'));
  try {
    for (let i = 0; i < images; i++) {
      const folder = join(dir, String(i % 10));
      if (i < 10) mkdirSync(folder);
      writeFileSync(join(folder, `${i}.png`), png(28, 28, 0, i));
    }
    global.gc?.();
    const start = process.memoryUsage();
    let peakRss = 0;
    let peakHeap = 0;
    const sample = () => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss - start.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed + now.arrayBuffers - start.heapUsed - start.arrayBuffers);
    };
    const timer = setInterval(sample, 2);
    const began = performance.now();
    const data = await loadImageFolder({ path: 'bench', dir, size: [28, 28], channels: 1, scale: 1 / 255, inputShape: [28, 28, 1] });
    const seconds = (performance.now() - began) / 1000;
    sample();
    clearInterval(timer);
    return { decode, images, tensorBytes: data.features.byteLength, peakRssBytes: peakRss, peakHeapAndBuffersBytes: peakHeap, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatImageFolders(figures: ImageFolderFigures): string[] {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const lines = ['images(...): PNG decoding on files written by pngjs (fastest of 3 passes)'];
  for (const row of figures.decode) lines.push(`  ${row.files.padEnd(18)} pngjs ${row.pngjsMs.toFixed(0)} ms`);
  lines.push(`Loading ${figures.images.toLocaleString('en-US')} 28×28 grey PNGs in ${figures.seconds.toFixed(1)} s: decoded set ${mib(figures.tensorBytes)}`);
  lines.push(`  peak rise: RSS ${mib(figures.peakRssBytes)} · heap + array buffers ${mib(figures.peakHeapAndBuffersBytes)} (${(figures.peakHeapAndBuffersBytes / figures.tensorBytes).toFixed(2)}× the set)`);
  return lines;
}
