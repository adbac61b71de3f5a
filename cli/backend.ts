/**
 * `layerwise backend`: every TensorFlow.js backend, where it would load
 * from and whether it does, as a trainer process finds them, in the order
 * `auto` tries them; and the folders the native packages are looked for in.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeBackend, NATIVE_SOURCE_NAMES, type NativeLocations } from '../protocol/training';
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
