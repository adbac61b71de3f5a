/**
 * `layerwise backend`: every TensorFlow.js backend, where it would load
 * from and whether it does, tried in this process in the order `auto` tries
 * them; and the folders the native packages are looked for in.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BACKENDS, describeBackend, type BackendName, type NativeLocations } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { searchFolders, SOURCE_NAMES } from '../trainer/native';

export interface BackendReport {
  backend: BackendName;
  /** What it is, where it loads. */
  loads?: string;
  /** Why it does not load. */
  reason?: string;
}

/** Tries each backend in turn; a native one after another native one that loaded is not tried, since both register the same backend. */
export async function probeBackends(locations: NativeLocations): Promise<BackendReport[]> {
  const reports: BackendReport[] = [];
  let nativeLoaded: BackendName | undefined;
  for (const backend of BACKENDS) {
    if (nativeLoaded && (backend === 'tfjs-node' || backend === 'tfjs-node-gpu')) {
      reports.push({ backend, reason: `not tried: ${nativeLoaded} already provides TensorFlow's native backend in this process` });
      continue;
    }
    try {
      const { info } = await selectBackend(backend, { native: locations });
      reports.push({ backend, loads: describeBackend(backend, info) });
      if (backend === 'tfjs-node' || backend === 'tfjs-node-gpu') nativeLoaded = backend;
    } catch (error) {
      reports.push({ backend, reason: (error as Error).message.replace(/^The \S+ backend cannot be used: /, '') });
    }
  }
  return reports;
}

/** The command's text: one line per backend, the one `auto` picks, and the folders looked in. */
export async function backendCommand(path: string | undefined, nativeModules: string | undefined, out: (text: string) => void): Promise<number> {
  const from = startFolder(path ?? process.cwd());
  const locations: NativeLocations = { from, ...(nativeModules ? { folder: resolve(nativeModules) } : {}) };
  const reports = await probeBackends(locations);
  const width = Math.max(...BACKENDS.map((backend) => backend.length)) + 2;
  for (const report of reports) out(`${report.backend.padEnd(width)}${report.loads ? `loads: ${report.loads}` : `does not load: ${report.reason}`}\n`);
  const picked = reports.find((report) => report.loads);
  out(`\nauto trains on ${picked?.backend ?? 'nothing: no backend loads'}\n\nnative packages are looked for in, in order:\n`);
  for (const folder of searchFolders(locations)) out(`  ${folder.nodeModules}  (${SOURCE_NAMES[folder.source]})\n`);
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
