/**
 * Workspace symbols: models, named tensors and train blocks of every open
 * document whose name contains the query's letters in order, ignoring case
 * (`sgmn` finds `SignMNIST`).
 */
import type { Analysis } from '../analysis';
import type { TextRange } from '../syntax/tree';
import { trainBlockName, trainBlockSelection } from './documentSymbols';
import { rangeOf } from './references';

export interface WorkspaceSymbol {
  name: string;
  kind: 'class' | 'variable' | 'event';
  uri: string;
  /** The symbol's name in its document. */
  range: TextRange;
  /** The model a tensor belongs to. */
  containerName?: string;
}

export function getWorkspaceSymbols(analyses: { uri: string; analysis: Analysis }[], query: string): WorkspaceSymbol[] {
  const matches = subsequenceMatcher(query);
  const symbols: WorkspaceSymbol[] = [];
  for (const { uri, analysis } of analyses) {
    for (const model of analysis.models) {
      const name = model.bound.declaration.name;
      if (name && matches(name.text)) symbols.push({ name: name.text, kind: 'class', uri, range: rangeOf(name) });
      for (const symbol of model.bound.symbols.values()) {
        if (matches(symbol.name)) symbols.push({ name: symbol.name, kind: 'variable', uri, range: rangeOf(symbol.declaration), containerName: model.network.name });
      }
    }
    for (const block of analysis.trainBlocks) {
      const name = trainBlockName(block.declaration);
      if (matches(name)) symbols.push({ name, kind: 'event', uri, range: trainBlockSelection(block.declaration) });
    }
  }
  return symbols;
}

function subsequenceMatcher(query: string): (name: string) => boolean {
  const wanted = query.toLowerCase().replace(/\s+/g, '');
  return (name) => {
    const lower = name.toLowerCase();
    let at = 0;
    for (const char of wanted) {
      at = lower.indexOf(char, at) + 1;
      if (at === 0) return false;
    }
    return true;
  };
}
