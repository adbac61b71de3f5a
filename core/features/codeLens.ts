/**
 * Code lenses over the declarations: a model's parameter count, which opens
 * its summary, and a train block's "▶ Train". The commands are the client's;
 * the core only says where the lenses go and what they carry.
 */
import type { Analysis } from '../analysis';
import { formatCount } from '../catalog/shape';
import type { TextRange } from '../syntax/tree';
import { declarationHeader } from './locate';
import { trainHeader } from './runs';

/** Shaped like LSP's CodeLens, with an offset range. */
export interface CodeLens {
  range: TextRange;
  title: string;
  command?: { id: string; arguments: unknown[] };
}

export function getCodeLenses(analysis: Analysis): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const { network } of analysis.models) {
    const declaration = network.declaration;
    const layers = network.layers.filter((layer) => layer.connected && layer.type !== 'Input').length;
    const title = network.params ? `${plural(network.params.total, 'param')} · ${plural(layers, 'layer')}` : 'params unknown (errors)';
    lenses.push({ range: declarationHeader(declaration.keyword, declaration.name), title, command: { id: 'layerwise.showSummary', arguments: [network.name] } });
  }
  analysis.trainBlocks.forEach((block, index) => {
    const declaration = block.declaration;
    const names = declaration.models.map((name) => name.text);
    lenses.push({
      range: trainHeader(declaration),
      title: '▶ Train',
      command: { id: 'layerwise.train', arguments: [index, names] },
    });
  });
  return lenses.sort((a, b) => a.range.pos - b.range.pos);
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
