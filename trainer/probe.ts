/**
 * A probe of the backends, for `layerwise backend` and the editor: each one
 * tried in the order `auto` tries them, in the trainer process, where a run
 * would load them.
 */
import { BACKENDS, type BackendName, type BackendReport, type NativeLocations, type ProbedMessage } from '../protocol/training';
import { selectBackend } from './backends';
import { searchFolders, TFJS_VERSION } from './native';

/** Tries each backend in turn; a native one after another native one that loaded is not tried, since both register the same backend. */
export async function probeBackends(native: NativeLocations): Promise<ProbedMessage> {
  const backends: BackendReport[] = [];
  let nativeLoaded: BackendName | undefined;
  for (const backend of BACKENDS) {
    if (nativeLoaded && (backend === 'tfjs-node' || backend === 'tfjs-node-gpu')) {
      backends.push({ backend, reason: `not tried: ${nativeLoaded} already provides TensorFlow's native backend in this process` });
      continue;
    }
    try {
      const { info } = await selectBackend(backend, { native });
      backends.push({ backend, info });
      if (backend === 'tfjs-node' || backend === 'tfjs-node-gpu') nativeLoaded = backend;
    } catch (error) {
      backends.push({ backend, reason: (error as Error).message.replace(/^The \S+ backend cannot be used: /, '') });
    }
  }
  return { type: 'probed', tfjsVersion: TFJS_VERSION, node: process.versions.node, backends, searched: searchFolders(native) };
}
