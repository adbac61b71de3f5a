/**
 * Shape inference and parameter counting over a bound model. The result is a
 * plain `Network`: every layer with its output shape and parameter count, in
 * source order, and the order to build them in. It holds no syntax and no
 * catalog entries, only names, numbers and offsets, so that it survives
 * JSON; the syntax each layer came from is in `layerOf`, beside it. An
 * unknown shape (after an error) propagates as unknown without further
 * errors, so one mistake is reported once.
 */
import { givesInputShape, type BoundModel, type GraphNode, type InputNode, type LayerNode } from './binder';
import { resolveArguments, evaluateNumber, type ArgumentContext } from './catalog/arguments';
import { findLayer, LAYER_NAMES, snakeCase } from './catalog/layers';
import { ShapeError, type LayerSpec, type ParamCount, type ResolvedArgs, type ResolvedCall, type Shape } from './catalog/types';
import { createDiagnostic, createSuggestedDiagnostic, type Diagnostic } from './diagnostics';
import { closestMatch } from './suggest';
import type { CallExpression, TextRange } from './syntax/tree';

export interface NetworkLayer {
  /** The name in summaries: from `name=`, the input's name, or a stable default such as `dense_1`. */
  name: string;
  /** `Input`, the layer's catalog name, or the callee as written when the catalog has no such layer. */
  type: string;
  /** The arguments bound to the layer's signature; absent for inputs and unknown layers. */
  args?: ResolvedArgs;
  /** Undefined when unknown (after an error upstream). */
  outputShape?: Shape;
  /** The shape of each input; null where it is unknown. */
  inputShapes: (Shape | null)[];
  /** Undefined when unknown; layers without weights count zero. */
  params?: ParamCount;
  /** Names of the layers this one takes its inputs from. */
  inbound: string[];
  /** The layer call, or the input statement. */
  range: TextRange;
  /** False for layers whose result reaches no output: they are not part of the model. */
  connected: boolean;
}

/** The connected inputs and layers, each after those it takes its inputs from: `order` as layers. */
export function buildOrder(network: Network): NetworkLayer[] {
  return network.order.map((index) => network.layers[index]!);
}

/** The catalog entry of a network layer; undefined for an input or a layer the catalog lacks. */
export function layerSpec(layer: NetworkLayer): LayerSpec | undefined {
  return layer.type === 'Input' ? undefined : findLayer(layer.type);
}

export interface ParamTotals {
  total: number;
  trainable: number;
  nonTrainable: number;
}

export interface Network {
  name: string;
  /** Every layer and input in source order, connected or not. */
  layers: NetworkLayer[];
  /**
   * The connected inputs, then the connected layers, as indices into
   * `layers`, each layer after those it takes its inputs from (a name may be
   * used above the statement that defines it): the order to build or write
   * the model in.
   */
  order: number[];
  inputs: NetworkLayer[];
  outputs: NetworkLayer[];
  /** Totals over the connected layers; undefined when a count is unknown. */
  params?: ParamTotals;
  /** True when the model is one chain: one input, one output, each layer fed by the one before. */
  sequential: boolean;
}

export interface InferredModel {
  network: Network;
  /** The network layer (or input) each graph node made. */
  layerOf: ReadonlyMap<GraphNode, NetworkLayer>;
}

export function inferShapes(model: BoundModel, text: string, diagnostics: Diagnostic[]): InferredModel {
  return new ShapeInference(model, text, diagnostics).run();
}

class ShapeInference {
  private readonly layers = new Map<GraphNode, NetworkLayer>();
  private readonly specs = new Map<LayerNode, LayerSpec>();
  private readonly context: ArgumentContext;

  constructor(
    private readonly model: BoundModel,
    private readonly text: string,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.context = { text, diagnostics, resolveLayer: (call, accepts) => this.resolveNestedLayer(call, accepts) };
  }

  run(): InferredModel {
    for (const input of this.model.inputs) this.layers.set(input, this.inferInput(input));
    this.nameLayers();
    const topological = this.topologicalOrder();
    for (const node of topological) {
      if (node.kind === 'layer') this.inferLayer(node, this.layers.get(node)!);
    }
    this.markConnected();
    this.reportUnused();
    const layers = [...this.layers.values()].sort((a, b) => a.range.pos - b.range.pos);
    const index = new Map(layers.map((layer, i) => [layer, i]));
    const connected = layers.filter((layer) => layer.connected);
    const outputs = this.model.outputs.map((node) => this.layers.get(node)!).filter((layer, i, all) => all.indexOf(layer) === i);
    const network: Network = {
      name: this.model.name,
      layers,
      order: [...this.model.inputs, ...topological.filter((node) => node.kind === 'layer')]
        .map((node) => this.layers.get(node)!)
        .filter((layer) => layer.connected)
        .map((layer) => index.get(layer)!),
      inputs: this.model.inputs.map((node) => this.layers.get(node)!),
      outputs,
      sequential: this.model.inputs.length === 1 && outputs.length === 1 && connected.every((layer) => layer.inbound.length <= 1),
    };
    const params = totals(connected);
    if (params) network.params = params;
    return { network, layerOf: this.layers };
  }

  private inferInput(node: InputNode): NetworkLayer {
    const shape = this.inputShape(node);
    return {
      name: node.name,
      type: 'Input',
      ...(shape && { outputShape: shape }),
      inputShapes: [],
      params: { trainable: 0, nonTrainable: 0, formula: '0' },
      inbound: [],
      range: { pos: node.statement.pos, end: node.statement.end },
      connected: false,
    };
  }

  /** `[28, 28, 1]`: positive whole numbers, or `none` for a size known only at run time. */
  private inputShape(node: InputNode): Shape | undefined {
    const expression = node.statement.shape;
    if (expression.kind === 'Missing') return undefined;
    if (expression.kind !== 'List' && expression.kind !== 'Tuple') {
      this.diagnostics.push(createDiagnostic('invalid-shape', expression, 'an input shape is a list such as [784] or [28, 28, 1]'));
      return undefined;
    }
    if (expression.elements.length === 0) {
      this.diagnostics.push(createDiagnostic('invalid-shape', expression, 'an input shape needs at least one dimension, e.g. [784]'));
      return undefined;
    }
    const dims: Shape = [null];
    let valid = true;
    for (const element of expression.elements) {
      if (element.kind === 'None') {
        dims.push(null);
        continue;
      }
      const value = evaluateNumber(element);
      if (value === undefined || !Number.isInteger(value) || value < 1) {
        if (element.kind !== 'Missing') {
          const source = this.text.slice(element.pos, element.end);
          this.diagnostics.push(createDiagnostic('invalid-shape', element, `an input dimension must be a positive whole number or none; got '${source}'`));
        }
        valid = false;
        continue;
      }
      dims.push(value);
    }
    return valid ? dims : undefined;
  }

  /** Keras-style default names, counted per layer type in source order; `name=` wins. */
  private nameLayers(): void {
    const used = new Set(this.model.inputs.map((input) => input.name));
    const counters = new Map<string, number>();
    for (const node of this.model.layers) {
      const spec = findLayer(node.call.callee.text);
      const explicit = node.call.args.find((arg) => arg.name?.text === 'name' && arg.value.kind === 'String');
      let name: string;
      if (explicit && explicit.value.kind === 'String') {
        name = explicit.value.value;
        if (used.has(name)) this.diagnostics.push(createDiagnostic('duplicate-layer-name', explicit.value, name));
      } else {
        const stem = snakeCase(spec?.name ?? node.call.callee.text);
        do {
          const count = counters.get(stem) ?? 0;
          counters.set(stem, count + 1);
          name = count === 0 ? stem : `${stem}_${count}`;
        } while (used.has(name));
      }
      used.add(name);
      if (spec) this.specs.set(node, spec);
      this.layers.set(node, {
        name,
        type: spec?.name ?? node.call.callee.text,
        inputShapes: [],
        inbound: [],
        range: { pos: node.call.pos, end: node.call.end },
        connected: false,
      });
    }
  }

  /** All layer nodes, each after its sources; nodes on a cycle are left out. Iterative, for long chains. */
  private topologicalOrder(): GraphNode[] {
    const order: GraphNode[] = [];
    const done = new Set<GraphNode>();
    for (const start of this.model.layers) {
      if (done.has(start)) continue;
      const stack: { node: GraphNode; expanded: boolean }[] = [{ node: start, expanded: false }];
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        if (done.has(top.node) || this.model.cyclic.has(top.node)) {
          stack.pop();
          continue;
        }
        if (top.expanded || top.node.kind === 'input') {
          stack.pop();
          done.add(top.node);
          order.push(top.node);
          continue;
        }
        top.expanded = true;
        // A node may sit on the stack twice; the later entry finishes it and the earlier one is skipped as done.
        for (const source of top.node.sources) {
          const node = this.model.resolve(source);
          if (node && !done.has(node)) stack.push({ node, expanded: false });
        }
      }
    }
    return order;
  }

  private inferLayer(node: LayerNode, layer: NetworkLayer): void {
    const call = node.call;
    const spec = this.specs.get(node);
    if (!spec && givesInputShape(call)) {
      const shape = call.args.find((arg) => !arg.name || arg.name.text === 'shape');
      const text = shape ? this.text.slice(shape.value.pos, shape.value.end).replace(/^\((.*?),?\)$/, '[$1]') : '[…]';
      this.diagnostics.push(createDiagnostic('input-as-argument', call, text));
      return;
    }
    if (!spec) {
      const suggestion = closestMatch(call.callee.text, LAYER_NAMES);
      this.diagnostics.push(createSuggestedDiagnostic('unknown-layer', call.callee, suggestion, call.callee.text, suggestion));
      return;
    }
    const resolution = resolveArguments(spec, call, this.context);
    layer.args = resolution;
    const sources = node.sources.map((ref) => this.model.resolve(ref));
    layer.inbound = sources.map((source) => (source ? this.layers.get(source)?.name ?? '?' : '?'));
    layer.inputShapes = sources.map((source) => (source && this.layers.get(source)?.outputShape) || null);

    if (spec.merge && !node.fromTuple) {
      this.diagnostics.push(createDiagnostic('merge-needs-tuple', call.callee, spec.name));
      return;
    }
    if (!spec.merge && node.fromTuple) {
      this.diagnostics.push(createDiagnostic('tuple-into-layer', call.callee, spec.name));
      return;
    }
    if (spec.merge) {
      const count = node.sources.length;
      const { min, max } = spec.merge;
      if (count < min || (max !== undefined && count > max)) {
        const wanted = max === min ? `exactly ${min}` : `at least ${min}`;
        this.diagnostics.push(createDiagnostic('merge-arity', call.callee, `${spec.name} takes ${wanted} tensors; got ${count}`));
        return;
      }
    }
    const inputs = layer.inputShapes;
    if (!resolution.complete || inputs.some((shape) => shape === null)) return;
    try {
      layer.outputShape = spec.outputShape(inputs as Shape[], resolution);
      layer.params = spec.countParams?.(inputs as Shape[], resolution) ?? { trainable: 0, nonTrainable: 0, formula: '0' };
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      // Left out rather than undefined, so that the network reads back from JSON the same.
      delete layer.outputShape;
      delete layer.params;
      const argumentRange = error.argument ? resolution.ranges[error.argument] : undefined;
      this.diagnostics.push(createDiagnostic(error.code, argumentRange ?? call, error.message));
    }
  }

  private resolveNestedLayer(call: CallExpression, accepts: readonly string[]): ResolvedCall | undefined {
    const spec = findLayer(call.callee.text);
    if (!spec || !accepts.includes(spec.name)) {
      const suggestion = closestMatch(call.callee.text, accepts);
      this.diagnostics.push(createSuggestedDiagnostic('argument-type', call.callee, suggestion, 'Bidirectional', 'layer', `a recurrent layer (${accepts.join(', ')})`, `'${call.callee.text}'`));
      return undefined;
    }
    const resolution = resolveArguments(spec, call, this.context);
    if (!resolution.complete) return undefined;
    return { kind: 'call', name: spec.name, args: resolution, range: { pos: call.pos, end: call.end } };
  }

  private markConnected(): void {
    const stack = [...this.model.outputs];
    while (stack.length) {
      const node = stack.pop()!;
      const layer = this.layers.get(node)!;
      if (layer.connected) continue;
      layer.connected = true;
      if (node.kind === 'layer') {
        for (const source of node.sources) {
          const next = this.model.resolve(source);
          if (next && !this.model.cyclic.has(next)) stack.push(next);
        }
      }
    }
  }

  private reportUnused(): void {
    for (const input of this.model.inputs) {
      // Only a named input can be left out; one that is used but cut off by an error is not reported again.
      const symbol = input.statement.name ? this.model.symbols.get(input.statement.name.text) : undefined;
      if (symbol && symbol.statement === input.statement && symbol.references.length === 0 && !this.layers.get(input)!.connected) {
        this.diagnostics.push(createDiagnostic('unused-input', input.statement.name ?? input.statement.keyword, input.name));
      }
    }
    for (const symbol of this.model.symbols.values()) {
      if (symbol.statement.kind !== 'AssignStatement' || symbol.references.length > 0) continue;
      const node = this.model.resolve(symbol.value);
      if (node && this.layers.get(node)?.connected) continue;
      this.diagnostics.push(createDiagnostic('unused-tensor', symbol.declaration, symbol.name));
    }
    for (const { statement, node } of this.model.unconsumed) {
      if (node.kind === 'layer' && !this.layers.get(node)!.connected) {
        this.diagnostics.push(createDiagnostic('unconnected-layer', statement));
      }
    }
  }
}

function totals(layers: NetworkLayer[]): ParamTotals | undefined {
  let trainable = 0;
  let nonTrainable = 0;
  for (const layer of layers) {
    if (!layer.params) return undefined;
    trainable += layer.params.trainable;
    nonTrainable += layer.params.nonTrainable;
  }
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
