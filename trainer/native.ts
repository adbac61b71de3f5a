/**
 * Finding and loading the native TensorFlow.js packages
 * (`@tensorflow/tfjs-node`, `@tensorflow/tfjs-node-gpu`), which Layerwise
 * does not bundle: their installer downloads libtensorflow, and their addon
 * is built for one platform. As the ESLint and Prettier extensions find the
 * workspace's own `eslint` and `prettier`, the trainer looks, in this order,
 * in the folder the user named (`layerwise.training.nativeModules`,
 * `--native-modules`), in the `node_modules` folders from the .net file's
 * folder up to the workspace root, in the per-user folder that
 * `layerwise backend install` fills, and beside Layerwise itself (an npm
 * install whose optional dependency built). The first folder that holds
 * the package wins.
 *
 * One TensorFlow.js: the native package is loaded with its own
 * `require('@tensorflow/tfjs')` answered by the trainer's, so that its
 * kernels and backend register with the engine that trains, and a copy it
 * brought along is never loaded. That works only for the same release, so a
 * package built for another tfjs version is refused before it loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import envPaths from 'env-paths';
import { NATIVE_PACKAGES, NATIVE_SOURCE_NAMES, type NativeBackend, type NativeLocations, type NativeSource, type SearchFolder } from '../protocol/training';

/** The TensorFlow.js release the trainer runs: a native package must be built for the same. */
export const TFJS_VERSION: string = tf.version.tfjs;

/** The per-user folder that the install command fills, when no other is given: the platform's cache folder (XDG on Linux). */
function defaultUserDir(): string {
  return join(envPaths('layerwise', { suffix: '' }).cache, 'native');
}

/**
 * The node_modules folders a native package is looked for in, in order. The
 * named folder may be a node_modules folder or one that holds one.
 */
export function searchFolders(locations: NativeLocations): SearchFolder[] {
  const folders: SearchFolder[] = [];
  if (locations.folder) {
    const folder = resolve(locations.folder);
    folders.push({ nodeModules: folder, source: 'setting' }, { nodeModules: join(folder, 'node_modules'), source: 'setting' });
  }
  if (locations.from) {
    const root = locations.root ? resolve(locations.root) : undefined;
    for (let dir = resolve(locations.from); ; dir = dirname(dir)) {
      folders.push({ nodeModules: join(dir, 'node_modules'), source: 'workspace' });
      // Outside the workspace (or without one) the climb goes on to the filesystem's root, as Node's does.
      if (dir === root || dirname(dir) === dir) break;
    }
  }
  folders.push({ nodeModules: join(locations.userDir ?? defaultUserDir(), 'node_modules'), source: 'user' });
  const beside = besideLayerwise();
  if (beside) folders.push({ nodeModules: beside, source: 'layerwise' });
  return folders.filter((folder, i) => folders.findIndex((other) => other.nodeModules === folder.nodeModules) === i);
}

/** The node_modules folder that holds Layerwise's own TensorFlow.js, where there is one (not in the self-contained trainer). */
function besideLayerwise(): string | undefined {
  try {
    const tfjs = dirname(require.resolve('@tensorflow/tfjs/package.json'));
    return dirname(dirname(tfjs));
  } catch {
    return undefined;
  }
}

/** A native package found on disk. */
export interface FoundPackage {
  backend: NativeBackend;
  /** The package's folder. */
  dir: string;
  source: NativeSource;
  version: string;
  /** The TensorFlow.js release it was built for (its `@tensorflow/tfjs` dependency). */
  tfjsVersion: string;
}

/** The first package of `backend` in the search folders, or undefined with the folders looked in. */
export function findNative(backend: NativeBackend, locations: NativeLocations): { found?: FoundPackage; searched: SearchFolder[] } {
  const searched = searchFolders(locations);
  for (const folder of searched) {
    const dir = join(folder.nodeModules, ...NATIVE_PACKAGES[backend].split('/'));
    const manifest = readManifest(join(dir, 'package.json'));
    if (!manifest) continue;
    const version = typeof manifest.version === 'string' ? manifest.version : '?';
    const dependency = manifest.dependencies?.['@tensorflow/tfjs'];
    return { found: { backend, dir, source: folder.source, version, tfjsVersion: typeof dependency === 'string' ? dependency.replace(/^[\^~=]/, '') : version }, searched };
  }
  return { searched };
}

function readManifest(path: string): { version?: unknown; dependencies?: Record<string, unknown> } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; dependencies?: Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** The command that installs the package that fits this trainer. */
export function installCommand(backend: NativeBackend): string {
  return `layerwise backend install${backend === 'tfjs-node-gpu' ? ' --gpu' : ''} (in VS Code: "Layerwise: Install Native Backend"), or npm i ${NATIVE_PACKAGES[backend]}@${TFJS_VERSION}`;
}

/** Why a found package cannot serve this trainer; undefined when it can. */
function versionProblem(found: FoundPackage): string | undefined {
  if (found.tfjsVersion === TFJS_VERSION) return undefined;
  return (
    `${NATIVE_PACKAGES[found.backend]} ${found.version} in ${found.dir} is built for TensorFlow.js ${found.tfjsVersion}, ` +
    `but Layerwise runs TensorFlow.js ${TFJS_VERSION}: install the matching one with ${installCommand(found.backend)}`
  );
}

interface LoadedNative {
  found: FoundPackage;
}

/** Packages already loaded in this process, by folder: a package's addon loads once. */
const loaded = new Set<string>();

/**
 * Loads `backend`'s package from the first folder that holds it, its
 * TensorFlow.js answered by the trainer's. Returns it, or why it cannot load.
 */
export function loadNative(backend: NativeBackend, locations: NativeLocations): LoadedNative | { reason: string } {
  const { found, searched } = findNative(backend, locations);
  if (!found) {
    const where = searched.map((folder) => folder.nodeModules).join(', ');
    return { reason: `not installed: ${NATIVE_PACKAGES[backend]} is in none of ${where}; install it with ${installCommand(backend)}` };
  }
  const problem = versionProblem(found);
  if (problem) return { reason: problem };
  if (loaded.has(found.dir)) return { found };
  shareTensorFlow(found.dir);
  try {
    createRequire(join(found.dir, 'package.json'))(found.dir);
  } catch (error) {
    const message = firstLine(error);
    // npm installs the package even when its installer could not download libtensorflow; the addon is then missing.
    const hint = message.includes('tfjs_binding.node') ? `; its native addon is missing (its installer downloads libtensorflow, which failed or was skipped): reinstall it with ${installCommand(backend)}` : '';
    return { reason: `${NATIVE_PACKAGES[backend]} ${found.version} in ${found.dir} (${NATIVE_SOURCE_NAMES[found.source]}) did not load: ${message}${hint}` };
  }
  loaded.add(found.dir);
  return { found };
}

/** The modules a native package takes from the trainer instead of its own copies. */
const SHARED: Record<string, unknown> = { '@tensorflow/tfjs': tf, '@tensorflow/tfjs-core': tf };

/** Folders whose modules get the trainer's TensorFlow.js. */
const sharingWith: string[] = [];

/**
 * Answers `require('@tensorflow/tfjs')` and `require('@tensorflow/tfjs-core')`
 * from the modules under `dir` with the trainer's own TensorFlow.js, which
 * re-exports all of the core: the native package then registers its kernels
 * and backend with the engine that trains.
 */
function shareTensorFlow(dir: string): void {
  if (!sharingWith.includes(dir + sep)) sharingWith.push(dir + sep);
  const internals = Module as unknown as { _load: (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown; __layerwiseShared?: boolean };
  if (internals.__layerwiseShared) return;
  internals.__layerwiseShared = true;
  const load = internals._load;
  internals._load = function (request, parent, isMain) {
    const shared = SHARED[request];
    if (shared && parent?.filename && sharingWith.some((prefix) => parent.filename!.startsWith(prefix))) return shared;
    return load.call(this, request, parent, isMain);
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}
