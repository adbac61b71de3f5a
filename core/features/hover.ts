/**
 * Hover: what the thing under the cursor is, with the numbers the checker
 * knows. A layer shows its output shape, its parameter count with the
 * formula, and the model's running total; a tensor its shape and where it is
 * defined; a model its totals; arguments, values, settings, losses and
 * optimizers their catalog documentation.
 */
import type { Analysis, ModelAnalysis } from '../analysis';
import { ACTIVATIONS } from '../catalog/activations';
import { findLayer } from '../catalog/layers';
import { formatCount, formatShape } from '../catalog/shape';
import { CALLBACKS, findByName, LOSSES, METRICS, OPTIMIZERS, SCHEDULES, SETTINGS } from '../catalog/training';
import type { LayerSpec, ParamSpec, Signature } from '../catalog/types';
import { layerSpec, type NetworkLayer } from '../shapes';
import type { Argument, CallExpression, Identifier, InputStatement, ModelDeclaration, Node, Setting, TextRange, TrainDeclaration } from '../syntax/tree';
import { calleeSignature, dictKeyAt, inComment, isOffsetIn, layerOfNode, layerStartingAt, nodesAt, tensorSymbolAt } from './locate';
import { baseType, formatDefault, formatParamType } from '../catalog/describe';
import { runHoverMarkdown, trainBlockAtHeader, trainHeader, type RunLookup } from './runs';

export interface Hover {
  range: TextRange;
  markdown: string;
}

export interface HoverOptions {
  /** Each model's last run: the train block's header then shows it as a chart. */
  lastRun?: RunLookup;
}

export function getHover(analysis: Analysis, offset: number, options: HoverOptions = {}): Hover | undefined {
  const found = findHover(analysis, offset);
  const block = options.lastRun && trainBlockAtHeader(analysis, offset);
  const runs = block && options.lastRun ? runHoverMarkdown(block, options.lastRun) : undefined;
  if (!runs || !block) return found;
  return found ? { range: found.range, markdown: `${found.markdown}\n\n---\n\n${runs}` } : hover(trainHeader(block), runs);
}

function findHover(analysis: Analysis, offset: number): Hover | undefined {
  if (!isOffsetIn(analysis.text, offset) || inComment(analysis, offset)) return undefined;
  const path = nodesAt(analysis, offset);
  const declaration = path[1] as ModelDeclaration | TrainDeclaration | undefined;
  const model = declaration?.kind === 'ModelDeclaration' ? analysis.models.find((candidate) => candidate.bound.declaration === declaration) : undefined;
  const context: HoverContext = { analysis, path, declaration, model };
  // Innermost first: the most specific node that has something to say wins.
  for (let index = path.length - 1; index >= 2; index--) {
    const node = path[index]!;
    const parent = path[index - 1];
    const hover =
      parent?.kind === 'DictEntry' && parent.key === node
        ? dictKeyHover(context, parent.key)
        : node.kind === 'Identifier'
        ? identifierHover(context, node, index)
        : node.kind === 'Call'
          ? callHover(context, node, node)
          : node.kind === 'InputStatement'
            ? inputHover(context, node, node)
            : undefined;
    if (hover) return hover;
  }
  return undefined;
}

/** A hover with a plain range, not the node it came from. */
function hover(range: TextRange, markdown: string): Hover {
  return { range: { pos: range.pos, end: range.end }, markdown };
}

interface HoverContext {
  analysis: Analysis;
  /** The nodes under the cursor, outermost first. */
  path: Node[];
  declaration?: ModelDeclaration | TrainDeclaration;
  model?: ModelAnalysis;
}

function identifierHover(context: HoverContext, identifier: Identifier, index: number): Hover | undefined {
  const parent = context.path[index - 1];
  switch (parent?.kind) {
    case 'ModelDeclaration':
      return context.model && modelHover(context.model, identifier);
    case 'TrainDeclaration': {
      const model = context.analysis.models.find((candidate) => candidate.network.name === identifier.text);
      return model && modelHover(model, identifier);
    }
    case 'InputStatement':
    case 'AssignStatement':
      return tensorHover(context, identifier);
    case 'Call':
      return parent.callee === identifier ? callHover(context, parent, identifier) : undefined;
    case 'Argument':
      return parent.name === identifier ? argumentHover(context, parent, identifier) : undefined;
    case 'Setting':
      return parent.key === identifier ? settingHover(identifier) : undefined;
    case 'Name':
      return nameHover(context, identifier, index - 1);
    default:
      return undefined;
  }
}

/** A bare name: a tensor in a pipeline, a value of an argument, or a loss, metric or optimizer in a setting. */
function nameHover(context: HoverContext, identifier: Identifier, nameIndex: number): Hover | undefined {
  const parent = context.path[nameIndex - 1];
  if (context.model && (parent?.kind === 'Pipeline' || parent?.kind === 'Tuple')) return tensorHover(context, identifier);
  if (parent?.kind === 'Argument') {
    const call = context.path[nameIndex - 2];
    return call?.kind === 'Call' ? valueHover(context, call, parent, identifier) : undefined;
  }
  const setting = parent?.kind === 'Setting' ? parent : parent?.kind === 'List' && context.path[nameIndex - 2]?.kind === 'Setting' ? (context.path[nameIndex - 2] as Setting) : undefined;
  return setting && settingValueHover(setting, identifier);
}

function modelHover(model: ModelAnalysis, range: TextRange): Hover {
  const network = model.network;
  const layerCount = network.layers.filter((layer) => layer.connected && layer.type !== 'Input').length;
  const params = network.params;
  const lines = [`**model** \`${network.name}\` · ${layerCount} ${layerCount === 1 ? 'layer' : 'layers'}`];
  lines.push(
    params
      ? `Total params: **${formatCount(params.total)}** · trainable ${formatCount(params.trainable)} · non-trainable ${formatCount(params.nonTrainable)}`
      : 'Total params: unknown until the errors are fixed',
  );
  lines.push(`Inputs: ${network.inputs.map(tensorText).join(', ') || 'none'}`);
  lines.push(`Outputs: ${network.outputs.map(tensorText).join(', ') || 'none'}`);
  return hover(range, lines.join('\n\n'));
}

function tensorText(layer: NetworkLayer): string {
  return `\`${layer.name}\` ${shapeText(layer)}`;
}

function shapeText(layer: NetworkLayer | undefined): string {
  return layer?.outputShape ? `\`${formatShape(layer.outputShape)}\`` : 'unknown';
}

function tensorHover(context: HoverContext, identifier: Identifier): Hover | undefined {
  const model = context.model;
  const symbol = model && tensorSymbolAt(model, identifier);
  if (!model || !symbol) return undefined;
  const node = model.bound.resolve(symbol.value);
  const layer = node && layerOfNode(model, node);
  const line = context.analysis.lines.positionAt(symbol.declaration.pos).line + 1;
  const origin = symbol.statement.kind === 'InputStatement' ? 'An input of the model' : layer ? `The output of \`${layer.name}\` (${layer.type})` : 'A tensor';
  return hover(identifier, `**tensor** \`${symbol.name}\` · shape ${shapeText(layer)}\n\n${origin}, defined on line ${line}.`);
}

/** A key of a train block's dict: the input or output it names, in each model of the block that has it. */
function dictKeyHover(context: HoverContext, key: TextRange): Hover | undefined {
  const found = dictKeyAt(context.analysis, key.pos);
  if (!found) return undefined;
  const lines: string[] = [];
  for (const network of found.block.models) {
    const layer = (found.role === 'input' ? network.inputs : network.outputs).find((candidate) => candidate.name === found.name);
    if (!layer) continue;
    const params = found.role === 'output' && layer.params ? ` · ${formatCount(layer.params.trainable + layer.params.nonTrainable)} params` : '';
    lines.push(`**${found.role}** \`${layer.name}\` of \`${network.name}\`${found.role === 'output' ? ` · ${layer.type}` : ''} · shape ${shapeText(layer)}${params}`);
  }
  return lines.length > 0 ? hover(key, lines.join('\n\n')) : undefined;
}

function inputHover(context: HoverContext, statement: InputStatement, range: TextRange): Hover | undefined {
  const node = context.model?.bound.inputs.find((candidate) => candidate.statement === statement);
  const input = node && context.model?.layerOf.get(node);
  return input && hover(range, `**input** \`${input.name}\` · shape ${shapeText(input)}`);
}

/** A call: in a model a layer, with its numbers; in a train block an optimizer, schedule, callback or data source. */
function callHover(context: HoverContext, call: CallExpression, range: TextRange): Hover | undefined {
  if (context.declaration?.kind === 'TrainDeclaration') {
    const signature = calleeSignature('train', call.callee.text);
    return signature && hover(range, signatureMarkdown(signature, trainKind(signature)));
  }
  // The layer this call made starts and ends with it; a call nested in another's arguments starts later.
  const layer = context.model && layerStartingAt(context.model, call.pos);
  const made = layer?.range.end === call.end ? layer : undefined;
  const madeSpec = made && layerSpec(made);
  if (context.model && made && madeSpec) return hover(range, layerMarkdown(context.model, made, madeSpec));
  // A layer inside another's arguments, such as the LSTM that Bidirectional wraps.
  const spec = findLayer(call.callee.text);
  return spec && hover(range, layerDocMarkdown(`**${spec.name}** · layer`, spec));
}

function layerMarkdown(model: ModelAnalysis, layer: NetworkLayer, spec: LayerSpec): string {
  const parts = [`**${spec.name}** \`${layer.name}\` · output ${shapeText(layer)}`];
  const params = layer.params;
  if (!layer.outputShape || !params) {
    parts.push('Shape and parameters unknown: the input or an argument has an error.');
  } else {
    const total = params.trainable + params.nonTrainable;
    parts.push(
      total === 0
        ? 'No parameters.'
        : `Parameters: \`${countWithFormula(params.formula, total)}\` · trainable ${formatCount(params.trainable)} · non-trainable ${formatCount(params.nonTrainable)}`,
    );
  }
  if (!layer.connected) {
    parts.push('Not part of the model: its result reaches no output.');
  } else {
    const running = runningTotal(model, layer);
    const modelTotal = model.network.params?.total;
    if (running !== undefined) parts.push(`Running total: ${formatCount(running)}${modelTotal !== undefined ? ` of ${formatCount(modelTotal)}` : ''} params`);
  }
  return layerDocMarkdown(parts.join('\n\n'), spec);
}

function layerDocMarkdown(heading: string, spec: LayerSpec): string {
  const parts = [heading, spec.doc];
  if (spec.tfjsNote) parts.push(`*TensorFlow.js:* ${spec.tfjsNote}`);
  return parts.join('\n\n');
}

/** `784 × 1024 + 1024 = 803,840`: the formula's factors as written in the code, the result as a count. */
function countWithFormula(formula: string, total: number): string {
  const factors = formula.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  return factors === String(total) ? formatCount(total) : `${factors} = ${formatCount(total)}`;
}

/** The connected layers' parameters, in source order, up to and including `layer`; undefined when one is unknown. */
function runningTotal(model: ModelAnalysis, layer: NetworkLayer): number | undefined {
  let sum = 0;
  for (const candidate of model.network.layers) {
    if (candidate.connected) {
      if (!candidate.params) return undefined;
      sum += candidate.params.trainable + candidate.params.nonTrainable;
    }
    if (candidate === layer) return sum;
  }
  return undefined;
}

/** The catalog signature a call in this declaration names. */
function signatureOf(context: HoverContext, call: CallExpression): Signature | undefined {
  return calleeSignature(context.declaration?.kind === 'TrainDeclaration' ? 'train' : 'model', call.callee.text);
}

/** The parameter an argument binds: by its keyword, or by its position among the positional ones. */
function parameterOf(signature: Signature, call: CallExpression, argument: Argument): ParamSpec | undefined {
  if (argument.name) return signature.params.find((param) => param.name === argument.name!.text);
  const position = call.args.filter((arg) => !arg.name).indexOf(argument);
  return position >= 0 && position < signature.positional ? signature.params[position] : undefined;
}

function argumentHover(context: HoverContext, argument: Argument, identifier: Identifier): Hover | undefined {
  const call = context.path.find((node): node is CallExpression => node.kind === 'Call' && node.args.includes(argument));
  const signature = call && signatureOf(context, call);
  const param = signature && call && parameterOf(signature, call, argument);
  if (!signature || !param) return undefined;
  const fallback = formatDefault(param);
  const markdown = [
    `**${param.name}** · argument of \`${signature.name}\``,
    `\`${formatParamType(param.type)}\` · ${fallback === undefined ? 'required' : `default \`${fallback}\``}`,
    param.doc,
  ].join('\n\n');
  return hover(identifier, markdown);
}

/** An enumeration value: an activation's documentation, or the values its argument allows. */
function valueHover(context: HoverContext, call: CallExpression, argument: Argument, identifier: Identifier): Hover | undefined {
  const signature = signatureOf(context, call);
  const param = signature && parameterOf(signature, call, argument);
  if (!param) return undefined;
  const type = baseType(param.type);
  if (type.kind === 'activation') {
    const activation = ACTIVATIONS.find((candidate) => candidate.name === identifier.text);
    return activation && hover(identifier, `**${activation.name}** · activation\n\n${activation.doc}`);
  }
  if (type.kind === 'enum' && type.values.includes(identifier.text)) {
    return hover(identifier, `**${identifier.text}** · value of \`${param.name}\` (${type.values.join(', ')})\n\n${param.doc}`);
  }
  return undefined;
}

function settingHover(key: Identifier): Hover | undefined {
  const setting = SETTINGS.find((candidate) => candidate.name === key.text);
  if (!setting) return undefined;
  const fallback = setting.default === undefined ? 'required' : `default \`${setting.default}\``;
  return hover(key, `**${setting.name}** · train setting · ${fallback}\n\n${setting.doc}`);
}

/** A bare name as a setting's value: a loss, a metric, or an optimizer, schedule, callback or data source without parentheses. */
function settingValueHover(setting: Setting, identifier: Identifier): Hover | undefined {
  const key = setting.key.text;
  const named = key === 'loss' ? findByName(LOSSES, identifier.text) : key === 'metrics' ? METRICS.find((metric) => metric.name === identifier.text) : undefined;
  if (named) return hover(identifier, `**${named.name}** · ${key === 'loss' ? 'loss' : 'metric'}\n\n${named.doc}`);
  const signature = calleeSignature('train', identifier.text);
  return signature && hover(identifier, signatureMarkdown(signature, trainKind(signature)));
}

function trainKind(signature: Signature): string {
  if (OPTIMIZERS.includes(signature)) return 'optimizer';
  if (SCHEDULES.includes(signature)) return 'learning-rate schedule';
  if (CALLBACKS.includes(signature)) return 'callback';
  return 'data source';
}

function signatureMarkdown(signature: Signature, kind: string): string {
  return `**${signature.name}** · ${kind}\n\n${signature.doc}`;
}
