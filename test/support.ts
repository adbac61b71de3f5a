/**
 * Paths and fixture helpers shared by the tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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
