/**
 * Code lenses over the declarations: a model's parameter count, which opens
 * its summary, and "Graph", which opens its graph view; a train block's
 * "▶ Train". The core says where the lenses go and which action each asks
 * for; the server maps the action onto the client's command.
 */
import type { Analysis } from '../analysis';
import { formatCount } from '../catalog/shape';
import type { TextRange } from '../syntax/tree';
import { declarationHeader } from './locate';
import { trainHeader } from './runs';

/**
 * What a lens asks the editor to do: show a model's summary or its graph, train a train
 * block (by its index among the file's blocks, with its model names), or
 * show a model's run from its run folder.
 */
export type LensAction =
  | { kind: 'showSummary'; model: string }
  | { kind: 'showGraph'; model: string }
  | { kind: 'train'; index: number; models: string[] }
  | { kind: 'showRun'; model: string; dir: string };

/** A lens: where it goes, what it says and what a click does. */
export interface CodeLens {
  range: TextRange;
  title: string;
  action: LensAction;
}

export function getCodeLenses(analysis: Analysis): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const { bound, network } of analysis.models) {
    const declaration = bound.declaration;
    const layers = network.layers.filter((layer) => layer.connected && layer.type !== 'Input').length;
    const title = network.params ? `${plural(network.params.total, 'param')} · ${plural(layers, 'layer')}` : 'params unknown (errors)';
    const header = declarationHeader(declaration.keyword, declaration.name);
    lenses.push({ range: header, title, action: { kind: 'showSummary', model: network.name } });
    lenses.push({ range: header, title: 'Graph', action: { kind: 'showGraph', model: network.name } });
  }
  analysis.trainBlocks.forEach((block, index) => {
    const declaration = block.declaration;
    const models = declaration.models.map((name) => name.text);
    lenses.push({ range: trainHeader(declaration), title: '▶ Train', action: { kind: 'train', index, models } });
  });
  return lenses.sort((a, b) => a.range.pos - b.range.pos);
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
