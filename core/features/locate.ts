/**
 * Finding things by position, for the editor features: the nodes under an
 * offset, the model they belong to, the layer a call made, and what a name
 * refers to. Offsets are UTF-16 code units, as in the text; features return
 * offsets too and the server converts them to lines and columns.
 */
import type { Analysis, ModelAnalysis } from '../index';
import type { TensorSymbol } from '../binder';
import type { NetworkLayer } from '../shapes';
import type { TrainBlock } from '../train';
import type { CallExpression, Identifier, ModelDeclaration, Node, TextRange, TrainDeclaration } from '../syntax/tree';

/** The nodes that contain `offset`, outermost first. An offset at a node's end counts as inside (the cursor after a word). */
export function nodesAt(analysis: Analysis, offset: number): Node[] {
  const path: Node[] = [analysis.file];
  let current: Node = analysis.file;
  for (;;) {
    const child: Node | undefined = childrenOf(current).find((node) => node.pos <= offset && offset <= node.end && node.end > node.pos);
    if (!child) return path;
    path.push(child);
    current = child;
  }
}

/** The direct children of a node that have a range, in source order. */
export function childrenOf(node: Node): Node[] {
  const children: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'comments' || key === 'keyword' || key === 'body' || key === 'argsRange') continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item && typeof item === 'object' && 'kind' in item && 'pos' in item) children.push(item as Node);
    }
  }
  return children.sort((a, b) => a.pos - b.pos);
}

/** The innermost node of one of the given kinds at `offset`. */
export function innermost<K extends Node['kind']>(analysis: Analysis, offset: number, ...kinds: K[]): Extract<Node, { kind: K }> | undefined {
  const path = nodesAt(analysis, offset);
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i]!;
    if ((kinds as string[]).includes(node.kind)) return node as Extract<Node, { kind: K }>;
  }
  return undefined;
}

/** The identifier touching `offset` (the cursor may sit just after it). */
export function identifierAt(analysis: Analysis, offset: number): Identifier | undefined {
  const node = innermost(analysis, offset, 'Identifier');
  return node && node.pos <= offset && offset <= node.end ? node : undefined;
}

/** The model whose braces (or declaration) contain `offset`. */
export function modelAt(analysis: Analysis, offset: number): ModelAnalysis | undefined {
  return analysis.models.find((model) => contains(model.bound.declaration, offset));
}

export function trainBlockAt(analysis: Analysis, offset: number): TrainBlock | undefined {
  return analysis.trainBlocks.find((block) => contains(block.declaration, offset));
}

export function declarationAt(analysis: Analysis, offset: number): ModelDeclaration | TrainDeclaration | undefined {
  return analysis.file.declarations.find((declaration) => contains(declaration, offset));
}

/** The network layer a call expression made, if it is a layer of a model. */
export function layerOfCall(model: ModelAnalysis, call: CallExpression): NetworkLayer | undefined {
  return model.network.layers.find((layer) => layer.node.kind === 'layer' && layer.node.call === call);
}

/** The tensor symbol a name in a model stands for: at its definition or at a use. */
export function tensorSymbolAt(model: ModelAnalysis, identifier: Identifier): TensorSymbol | undefined {
  for (const symbol of model.bound.symbols.values()) {
    if (symbol.declaration === identifier || symbol.references.includes(identifier)) return symbol;
  }
  return undefined;
}

/** Every place a model's name appears: its declaration and the train blocks that name it. */
export function modelNameOccurrences(analysis: Analysis, name: string): { declaration?: Identifier; references: Identifier[] } {
  const declaration = analysis.models.find((model) => model.network.name === name)?.bound.declaration.name;
  const references = analysis.trainBlocks.flatMap((block) => block.declaration.models.filter((identifier) => identifier.text === name));
  return { declaration, references };
}

export function contains(range: TextRange, offset: number): boolean {
  return range.pos <= offset && offset <= range.end;
}
