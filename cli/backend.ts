/**
 * `layerwise backend`: every TensorFlow.js backend, where it would load
 * from and whether it does, as a trainer process finds them, in the order
 * `auto` tries them; and the folders the native packages are looked for in.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeBackend, NATIVE_SOURCE_NAMES, type NativeBackend, type NativeLocations, type ProbedMessage } from '../protocol/training';
import { installNative } from '../trainer/install';
import { probeTrainer } from '../trainer/process';

/** The command's text: one line per backend, the one `auto` picks, and the folders looked in. */
export async function backendCommand(path: string | undefined, nativeModules: string | undefined, out: (text: string) => void): Promise<number> {
  const native: NativeLocations = { from: startFolder(path ?? process.cwd()), ...(nativeModules ? { folder: resolve(nativeModules) } : {}) };
  const probed = await probeTrainer(native);
  const width = Math.max(...probed.backends.map((report) => report.backend.length)) + 2;
  for (const report of probed.backends) {
    out(`${report.backend.padEnd(width)}${report.info ? `loads: ${describeBackend(report.backend, report.info)}` : `does not load: ${report.reason}`}\n`);
  }
  const picked = probed.backends.find((report) => report.info);
  out(`\nauto trains on ${picked?.backend ?? 'nothing: no backend loads'} (TensorFlow.js ${probed.tfjsVersion}, Node.js ${probed.node})\n`);
  out('\nnative packages are looked for in, in order:\n');
  for (const folder of probed.searched) out(`  ${folder.nodeModules}  (${NATIVE_SOURCE_NAMES[folder.source]})\n`);
  return picked ? 0 : 1;
}

/** The folder a search starts in: the path itself, or the folder of a file. */
function startFolder(path: string): string {
  const absolute = resolve(path);
  try {
    return statSync(absolute).isDirectory() ? absolute : dirname(absolute);
  } catch {
    return dirname(absolute);
  }
}

/** The per-user folder the trainer looks in (and the install fills): the prefix whose node_modules it searches. */
export function userFolder(probed: ProbedMessage): string {
  return dirname(probed.searched.find((folder) => folder.source === 'user')!.nodeModules);
}

/**
 * `layerwise backend install [--gpu]`: npm installs the native package built
 * for the trainer's TensorFlow.js into the per-user folder, its output shown
 * as it comes. Ctrl-C cancels, leaving the folder as it was.
 */
export async function installCommand(gpu: boolean, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const probed = await probeTrainer({});
  const backend: NativeBackend = gpu ? 'tfjs-node-gpu' : 'tfjs-node';
  const controller = new AbortController();
  const onInterrupt = (): void => {
    err('\ncancelling the install…\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    const result = await installNative({ backend, tfjsVersion: probed.tfjsVersion, userDir: userFolder(probed), onOutput: err, signal: controller.signal });
    if (!result.ok) {
      err(`layerwise: ${result.message}\n`);
      return result.cancelled ? 130 : 1;
    }
    out(`installed ${result.packages.join(', ')} in ${result.packageDir}\n`);
    // What a run will now find, in the same words as `layerwise backend`.
    const after = await probeTrainer({});
    const report = after.backends.find((candidate) => candidate.backend === backend)!;
    out(`${backend}: ${report.info ? `loads: ${describeBackend(backend, report.info)}` : `does not load: ${report.reason}`}\n`);
    return report.info ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
