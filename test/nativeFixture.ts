/**
 * The tfjs-node package as npm ships it, for the tests of where the trainer
 * finds it: installed once from the registry with its installer skipped, so
 * that it has every file but the addon that the installer would download
 * (libtensorflow cannot be downloaded here). Loading it goes as far as the
 * addon, whose absence names the folder it was loaded from: that proves
 * which folder won. Its own dependency on TensorFlow.js is a stub that
 * throws when loaded (npm's `overrides`): the trainer answers the package's
 * require of TensorFlow.js with its own, so the stub is never loaded, and
 * the fixture is some 9 MB instead of 300. Cached in `.cache/native` (or
 * LAYERWISE_TEST_CACHE).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TFJS_VERSION } from '../trainer/native';
import { repoRoot } from './support';

const cacheRoot = process.env['LAYERWISE_TEST_CACHE'] ?? join(repoRoot, '.cache', 'native');

/** The folder whose node_modules holds @tensorflow/tfjs-node and its dependencies, without its addon. */
export function tfjsNodeInstall(): string {
  const prefix = join(cacheRoot, `tfjs-node-${TFJS_VERSION}-alone`);
  if (existsSync(join(prefix, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json'))) return prefix;
  const partial = `${prefix}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(join(partial, 'tfjs-stub'), { recursive: true });
  writeFileSync(join(partial, 'tfjs-stub', 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs', version: TFJS_VERSION, main: 'index.js' }));
  writeFileSync(join(partial, 'tfjs-stub', 'index.js'), "throw new Error(\"the native package's own @tensorflow/tfjs was loaded: the trainer's should have answered its require\");\n");
  writeFileSync(join(partial, 'package.json'), JSON.stringify({
    name: 'layerwise-native-fixture',
    private: true,
    dependencies: { '@tensorflow/tfjs-node': TFJS_VERSION },
    overrides: { '@tensorflow/tfjs': 'file:./tfjs-stub' },
  }));
  const npm = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', partial], { encoding: 'utf8', timeout: 300_000 });
  if (npm.status !== 0) throw new Error(`npm could not install @tensorflow/tfjs-node@${TFJS_VERSION} from the registry: ${npm.stderr || npm.error?.message}`);
  rmSync(prefix, { recursive: true, force: true });
  renameSync(partial, prefix);
  return prefix;
}

/**
 * Puts the package into `nodeModules` as a real folder of its own (a copy,
 * so that Node sees it there and not at a symlink's target), with its
 * dependencies linked from the cached install. Returns the package's folder.
 */
export function placeTfjsNode(nodeModules: string, manifest?: (json: Record<string, unknown>) => void): string {
  const source = join(tfjsNodeInstall(), 'node_modules');
  mkdirSync(join(nodeModules, '@tensorflow'), { recursive: true });
  for (const entry of readdirSync(source)) {
    if (entry === '@tensorflow' || entry.startsWith('.')) continue;
    if (!existsSync(join(nodeModules, entry))) symlinkSync(join(source, entry), join(nodeModules, entry));
  }
  for (const entry of readdirSync(join(source, '@tensorflow'))) {
    if (entry !== 'tfjs-node' && !existsSync(join(nodeModules, '@tensorflow', entry))) symlinkSync(join(source, '@tensorflow', entry), join(nodeModules, '@tensorflow', entry));
  }
  const dir = join(nodeModules, '@tensorflow', 'tfjs-node');
  cpSync(join(source, '@tensorflow', 'tfjs-node'), dir, { recursive: true });
  if (manifest) {
    const path = join(dir, 'package.json');
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    manifest(json);
    writeFileSync(path, JSON.stringify(json, null, 2));
  }
  return dir;
}
