/**
 * Inlay hints: after each layer call its output shape and parameter count,
 * `(None, 1024) · 803,840 params`, and after each input its shape: what
 * `model.summary()` would print, beside the line that makes it.
 */
import type { Analysis } from '../analysis';
import { formatCount, formatShape } from '../catalog/shape';
import type { NetworkLayer } from '../shapes';
import type { TextRange } from '../syntax/tree';

export interface InlayHint {
  pos: number;
  label: string;
  kind: 'type' | 'parameter';
  paddingLeft: boolean;
}

/** Hints in source order (models and their layers are); only those inside `range` when one is given. */
export function getInlayHints(analysis: Analysis, range?: TextRange): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const model of analysis.models) {
    for (const layer of model.network.layers) {
      const pos = layer.range.end;
      if (range && (pos < range.pos || pos > range.end)) continue;
      const label = hintLabel(layer);
      if (label) hints.push({ pos, label, kind: 'type', paddingLeft: true });
    }
  }
  return hints;
}

/** Nothing for an unknown shape: the error says more. Layers without weights show only their shape. */
function hintLabel(layer: NetworkLayer): string | undefined {
  if (!layer.outputShape) return undefined;
  const shape = formatShape(layer.outputShape);
  const count = layer.params ? layer.params.trainable + layer.params.nonTrainable : 0;
  return count === 0 ? shape : `${shape} · ${formatCount(count)} ${count === 1 ? 'param' : 'params'}`;
}
