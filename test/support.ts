/**
 * Paths and fixture helpers shared by the tests.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after } from 'node:test';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The repository root (tests run from out/test). */
export const repoRoot = findRoot(__dirname);

/** The examples every checkout must honour, beside the repository. */
export const sharedExamples = resolve(repoRoot, '..', 'shared', 'examples');

export const projectExamples = join(repoRoot, 'examples');

export const cliPath = join(repoRoot, 'out', 'cli', 'main.js');

export function netFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.net'))
    .sort()
    .map((name) => join(dir, name));
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** True when fixtures should be rewritten from the current output. */
export const updateFixtures = process.env['UPDATE_FIXTURES'] === '1';

/** Every .net text the robustness sweeps run over: both sets of examples, the error examples and the fixtures. */
export function allNetTexts(): string[] {
  const folders = [sharedExamples, projectExamples, join(projectExamples, 'errors'), join(repoRoot, 'test', 'fixtures')];
  return folders.flatMap(netFiles).map(read);
}

/** Where to cut a text for prefix checks (the user mid-typing): every line start and line middle, and the end. */
export function cutPoints(text: string): number[] {
  const offsets = [text.length];
  let start = 0;
  for (const line of text.split('\n')) {
    offsets.push(start, start + (line.length >> 1));
    start += line.length + 1;
  }
  return offsets;
}

/**
 * A maker of fresh temporary folders named after `prefix`, all removed when
 * the test file's tests are done (registered with node:test's `after`).
 */
export function scratchFolders(prefix: string): () => string {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `layerwise-${prefix}-`));
    dirs.push(dir);
    return dir;
  };
}

/** A logistic model and an MLP trained side by side on two moons: the decision boundary's straight line beside its bent one. */
export const moonsPair = (epochs: number): string => `model Logistic {
  input [2]
  Dense(1, activation=sigmoid)
}

model MLP {
  input [2]
  Dense(16, activation=relu)
  Dense(1, activation=sigmoid)
}

train Logistic, MLP {
  data = moons(samples=200, noise=0.1)
  validation = 0.25
  loss = binary_crossentropy
  optimizer = Adam(learning_rate=0.05)
  metrics = [accuracy]
  batch_size = 32
  epochs = ${epochs}
  seed = 3
}
`;
