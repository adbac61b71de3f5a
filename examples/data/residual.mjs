// Writes residual.csv, the synthetic data examples/residual.net trains on:
// `node examples/data/residual.mjs`. Each of the 18 classes is a pair: one
// of 6 clusters in the 64 features (f0…f63) and one of 3 clusters in the 8
// extra values (e0…e7), so a model needs both inputs to tell them apart.
// The generator is seeded: the file is the same on every run.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROWS = 540;
let state = 20261203;
/** A linear congruential generator in [0, 1): enough for synthetic clusters. */
const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const centers = (count, size, scale) => Array.from({ length: count }, () => Array.from({ length: size }, () => (uniform() < 0.5 ? -scale : scale)));
const featureCenters = centers(6, 64, 1);
const extraCenters = centers(3, 8, 2);

const header = [...Array.from({ length: 64 }, (_, i) => `f${i}`), ...Array.from({ length: 8 }, (_, i) => `e${i}`), 'label'];
const lines = [header.join(',')];
for (let row = 0; row < ROWS; row++) {
  const label = row % 18;
  const near = (center) => center.map((value) => (value + 0.8 * normal()).toFixed(1));
  lines.push([...near(featureCenters[Math.floor(label / 3)]), ...near(extraCenters[label % 3]), label].join(','));
}
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'residual.csv'), lines.join('\n') + '\n');
