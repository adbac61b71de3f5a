/**
 * The binder resolves the names of one model and turns its statements into a
 * graph: input nodes and layer nodes joined by references. It reports
 * undefined and duplicate names, cycles, and pipelines that have no tensor
 * to take. Names may be used before the statement that defines them; the
 * `current tensor` rule (a pipeline that starts with a layer takes the
 * previous statement's result) follows the text's order.
 */
import { createDiagnostic, createSuggestedDiagnostic, type Diagnostic } from './diagnostics';
import { INPUT_ARGUMENTS } from './catalog/arguments';
import { closestMatch } from './suggest';
import type { CallExpression, Identifier, InputStatement, ModelDeclaration, Pipeline, Statement, TextRange } from './syntax/tree';

export interface InputNode {
  kind: 'input';
  id: number;
  statement: InputStatement;
  /** The input's name, or a default such as `input_1`. */
  name: string;
}

export interface LayerNode {
  kind: 'layer';
  id: number;
  call: CallExpression;
  /** Where this node's tensors come from: one, or several for a merge. */
  sources: TensorRef[];
  /** True when the sources came from a tuple `(a, b)`. */
  fromTuple: boolean;
  statement: Statement;
}

export type GraphNode = InputNode | LayerNode;

/** A tensor, before names are resolved: a node, a name, or nothing known. */
export type TensorRef = { kind: 'node'; node: GraphNode } | { kind: 'name'; identifier: Identifier } | { kind: 'unknown' };

export interface TensorSymbol {
  name: string;
  /** Where it is defined: the input's or the assignment's name. */
  declaration: Identifier;
  statement: InputStatement | Statement;
  /** The tensor it stands for. */
  value: TensorRef;
  references: Identifier[];
}

export interface BoundModel {
  declaration: ModelDeclaration;
  name: string;
  inputs: InputNode[];
  /** Layer nodes in source order. */
  layers: LayerNode[];
  symbols: Map<string, TensorSymbol>;
  /** The model's outputs, resolved to nodes (unknown entries dropped). */
  outputs: GraphNode[];
  /** Statements whose result nothing takes, with the node they end in. */
  unconsumed: { statement: Statement; node: GraphNode }[];
  /** Nodes whose inputs form a cycle; their shapes are unknown. */
  cyclic: Set<GraphNode>;
  /** Resolves a reference to the node it stands for. */
  resolve(ref: TensorRef): GraphNode | undefined;
}

/** True for a call that tries to declare the model's input the Keras way. */
export function givesInputShape(call: CallExpression): boolean {
  return INPUT_LAYERS.includes(call.callee.text) || call.args.some((arg) => arg.name !== undefined && INPUT_ARGUMENTS.includes(arg.name.text));
}

const INPUT_LAYERS = ['Input', 'InputLayer'];

export function bindModel(declaration: ModelDeclaration, text: string, diagnostics: Diagnostic[]): BoundModel {
  return new Binder(declaration, text, diagnostics).bind();
}

class Binder {
  private nextId = 0;
  private readonly inputs: InputNode[] = [];
  private readonly layers: LayerNode[] = [];
  private readonly symbols = new Map<string, TensorSymbol>();
  private readonly statementResults = new Map<Statement, TensorRef>();
  private readonly consumed = new Set<Statement>();

  constructor(
    private readonly declaration: ModelDeclaration,
    private readonly text: string,
    private readonly diagnostics: Diagnostic[],
  ) {}

  bind(): BoundModel {
    const name = this.declaration.name?.text ?? '';
    this.declareNames();
    const outputs = this.buildGraph();
    const cyclic = this.findCycles();
    const resolved = outputs.map((ref) => this.resolve(ref)).filter((node): node is GraphNode => node !== undefined);
    const unconsumed = this.findUnconsumed(outputs);
    return {
      declaration: this.declaration,
      name,
      inputs: this.inputs,
      layers: this.layers,
      symbols: this.symbols,
      outputs: resolved,
      unconsumed,
      cyclic,
      resolve: (ref) => this.resolve(ref),
    };
  }

  /** First pass: every named tensor, so that names can be used before their statement. */
  private declareNames(): void {
    let unnamed = 0;
    for (const statement of this.declaration.statements) {
      if (statement.kind === 'InputStatement') {
        const node: InputNode = { kind: 'input', id: this.nextId++, statement, name: statement.name?.text ?? `input_${++unnamed}` };
        this.inputs.push(node);
        if (statement.name) this.declare(statement.name, statement, { kind: 'node', node });
      } else if (statement.kind === 'AssignStatement') {
        this.declare(statement.name, statement, { kind: 'unknown' });
      }
    }
  }

  private declare(identifier: Identifier, statement: Statement, value: TensorRef): void {
    if (this.symbols.has(identifier.text)) {
      this.diagnostics.push(createDiagnostic('duplicate-name', identifier, identifier.text));
      return;
    }
    this.symbols.set(identifier.text, { name: identifier.text, declaration: identifier, statement, value, references: [] });
  }

  /** Second pass: layer nodes for every pipeline; returns the model's outputs. */
  private buildGraph(): TensorRef[] {
    let current: { ref: TensorRef; statement?: Statement } | undefined;
    let inputsSoFar = 0;
    let outputs: TensorRef[] | undefined;
    let last: TensorRef | undefined;

    const takeCurrent = (at: TextRange): TensorRef => {
      if (current) {
        if (current.statement) this.consumed.add(current.statement);
        return current.ref;
      }
      if (inputsSoFar === 1) return { kind: 'node', node: this.inputs[0]! };
      const reason =
        inputsSoFar === 0
          ? 'this layer has no input to take: declare one first, e.g. input [784]'
          : 'this layer has no single tensor to take: start the pipeline with a name, e.g. features -> Dense(10)';
      this.diagnostics.push(createDiagnostic('no-current-tensor', at, reason));
      return { kind: 'unknown' };
    };

    for (const statement of this.declaration.statements) {
      switch (statement.kind) {
        case 'InputStatement':
          inputsSoFar++;
          break;
        case 'AssignStatement':
        case 'ExpressionStatement': {
          const result = this.bindPipeline(statement.value, statement, takeCurrent);
          this.statementResults.set(statement, result);
          if (statement.kind === 'AssignStatement') {
            const symbol = this.symbols.get(statement.name.text);
            if (symbol && symbol.statement === statement) symbol.value = result;
          }
          current = { ref: result, statement: statement.kind === 'ExpressionStatement' ? statement : undefined };
          last = result;
          break;
        }
        case 'OutputStatement': {
          const results = statement.values.map((pipeline) => this.bindPipeline(pipeline, statement, takeCurrent));
          if (outputs) {
            this.diagnostics.push(createDiagnostic('duplicate-output', statement.keyword));
          } else {
            outputs = results;
          }
          current = { ref: results[results.length - 1]! };
          last = current.ref;
          break;
        }
      }
    }
    if (outputs) return outputs;
    if (last) {
      // The last statement is the output; it counts as taken.
      const lastStatement = [...this.declaration.statements].reverse().find((s) => s.kind !== 'InputStatement');
      if (lastStatement) this.consumed.add(lastStatement);
      return [last];
    }
    const lastInput = this.inputs[this.inputs.length - 1];
    return lastInput ? [{ kind: 'node', node: lastInput }] : [];
  }

  private bindPipeline(pipeline: Pipeline, statement: Statement, takeCurrent: (at: TextRange) => TensorRef): TensorRef {
    let sources: TensorRef[];
    let fromTuple = false;
    const steps = [...pipeline.steps];
    const head = pipeline.head;
    if (head.kind === 'Call') {
      // A Keras-style input (`input_shape=`, `Input(...)`) is reported once, by the layer checks.
      sources = [givesInputShape(head) ? { kind: 'unknown' } : takeCurrent(head.callee)];
      steps.unshift(head);
    } else if (head.kind === 'Name') {
      sources = [this.reference(head.name)];
    } else if (head.kind === 'Tuple' && head.elements.length === 0) {
      this.diagnostics.push(createDiagnostic('unexpected-token', head, 'a tensor name', "'()'"));
      sources = [{ kind: 'unknown' }];
    } else if (head.kind === 'Tuple') {
      sources = head.elements.map((element) => {
        if (element.kind === 'Name') return this.reference(element.name);
        if (element.kind !== 'Missing') this.diagnostics.push(createDiagnostic('unexpected-token', element, 'a tensor name', `'${this.declarationText(element)}'`));
        return { kind: 'unknown' } as const;
      });
      fromTuple = head.hasComma;
    } else {
      if (head.kind !== 'Missing') this.diagnostics.push(createDiagnostic('unexpected-token', head, 'a tensor name, a tuple or a layer call', `'${this.declarationText(head)}'`));
      sources = [{ kind: 'unknown' }];
    }
    if (steps.length === 0) return fromTuple ? { kind: 'unknown' } : sources[0]!;
    let result: TensorRef = { kind: 'unknown' };
    for (const call of steps) {
      const node: LayerNode = { kind: 'layer', id: this.nextId++, call, sources, fromTuple, statement };
      this.layers.push(node);
      result = { kind: 'node', node };
      sources = [result];
      fromTuple = false;
    }
    return result;
  }

  private declarationText(range: TextRange): string {
    const text = this.text.slice(range.pos, range.end);
    return text.length > 20 ? `${text.slice(0, 20)}…` : text;
  }

  private reference(identifier: Identifier): TensorRef {
    const symbol = this.symbols.get(identifier.text);
    if (!symbol) {
      const suggestion = closestMatch(identifier.text, this.symbols.keys());
      this.diagnostics.push(createSuggestedDiagnostic('undefined-name', identifier, suggestion, identifier.text, suggestion));
      return { kind: 'unknown' };
    }
    symbol.references.push(identifier);
    return { kind: 'name', identifier };
  }

  /** Follows names to the node they stand for; undefined for unknown tensors and alias loops. */
  private resolve(ref: TensorRef, seen = new Set<string>()): GraphNode | undefined {
    if (ref.kind === 'node') return ref.node;
    if (ref.kind === 'unknown') return undefined;
    const name = ref.identifier.text;
    if (seen.has(name)) return undefined;
    seen.add(name);
    const symbol = this.symbols.get(name);
    return symbol ? this.resolve(symbol.value, seen) : undefined;
  }

  /** Depth-first search over the layer graph; reports each cycle once, at the reference that closes it. */
  private findCycles(): Set<GraphNode> {
    const cyclic = new Set<GraphNode>();
    const state = new Map<GraphNode, 'visiting' | 'done'>();
    const reported = new Set<string>();
    const stack: { node: GraphNode; via?: Identifier }[] = [];

    const visit = (node: GraphNode, via?: Identifier): void => {
      const status = state.get(node);
      if (status === 'done') return;
      if (status === 'visiting') {
        const start = stack.findIndex((entry) => entry.node === node);
        const loop = stack.slice(start);
        for (const entry of loop) cyclic.add(entry.node);
        const names = [...loop.map((entry) => entry.via?.text).filter((n): n is string => !!n), via?.text].filter((n): n is string => !!n);
        const key = [...new Set(names)].sort().join(',');
        if (via && !reported.has(key)) {
          reported.add(key);
          const path = names.length ? [...names, names[0]].join(' -> ') : via.text;
          this.diagnostics.push(createDiagnostic('cycle', via, path));
        }
        return;
      }
      state.set(node, 'visiting');
      stack.push({ node, via });
      if (node.kind === 'layer') {
        for (const source of node.sources) {
          const target = this.resolveAliasFree(source);
          if (target) visit(target.node, target.via);
        }
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of [...this.inputs, ...this.layers]) visit(node);
    // Whatever depends on a cyclic node is unknown too, but only the loop itself is an error.
    return cyclic;
  }

  /** Resolves a source to a node, remembering the first name on the way for cycle messages. */
  private resolveAliasFree(ref: TensorRef): { node: GraphNode; via?: Identifier } | undefined {
    const node = this.resolve(ref);
    if (!node) return undefined;
    return { node, via: ref.kind === 'name' ? ref.identifier : undefined };
  }

  private findUnconsumed(outputs: TensorRef[]): { statement: Statement; node: GraphNode }[] {
    const outputNodes = new Set(outputs.map((ref) => this.resolve(ref)));
    const result: { statement: Statement; node: GraphNode }[] = [];
    for (const [statement, ref] of this.statementResults) {
      if (statement.kind !== 'ExpressionStatement' || this.consumed.has(statement)) continue;
      const node = this.resolve(ref);
      if (node && !outputNodes.has(node)) result.push({ statement, node });
    }
    return result;
  }
}

