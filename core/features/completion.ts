/**
 * Completion: what may be typed at the cursor. The context comes from the
 * tree, whose recovery keeps what broken text has while the user types;
 * the catalogs say what fits there (layers and their arguments, activations
 * and enumeration values, train settings, losses, optimizers …), and the
 * model's binder says which tensors are in scope.
 */
import type { Analysis } from '../analysis';
import { ACTIVATIONS } from '../catalog/activations';
import { findLayer, LAYERS } from '../catalog/layers';
import { formatShape } from '../catalog/shape';
import { CALLBACKS, DATA_SOURCES, LOSSES, METRICS, OPTIMIZERS, SCHEDULES, SETTINGS } from '../catalog/training';
import type { ArgType, LayerSpec, ParamSpec, Signature } from '../catalog/types';
import type { TextRange } from '../syntax/tree';
import { calleeSignature, cursorContext, layerOfNode, type CursorContext, type OpenBracket } from './locate';
import { baseType, formatDefault, formatParamType } from '../catalog/describe';

export type CompletionItemKind = 'class' | 'property' | 'enumMember' | 'variable' | 'keyword' | 'function' | 'snippet' | 'module';

export interface CompletionItem {
  label: string;
  kind: CompletionItemKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  insertText?: string;
  insertTextFormat?: 'plain' | 'snippet';
  /** The text the item replaces: the word before the cursor. */
  range?: TextRange;
  sortText?: string;
}

export interface CompletionList {
  items: CompletionItem[];
  isIncomplete: false;
}

export function getCompletions(analysis: Analysis, offset: number): CompletionList {
  const context = cursorContext(analysis, offset);
  if (!context || context.inLiteral) return { items: [], isIncomplete: false };
  const request: Request = { analysis, context, offset, range: { pos: context.word?.pos ?? offset, end: offset } };
  // The tensor items, as many as the model has names, are made with their range; the catalog's shared items are copied with it.
  const items = itemsFor(request).map((item) => (item.range ? item : { ...item, range: request.range }));
  return { items, isIncomplete: false };
}

interface Request {
  analysis: Analysis;
  context: CursorContext;
  offset: number;
  /** The word before the cursor, which the items replace. */
  range: TextRange;
}

function itemsFor(request: Request): CompletionItem[] {
  const { context } = request;
  const bracket = context.brackets[context.brackets.length - 1];
  switch (context.scope) {
    case 'top':
      return topLevelItems(request);
    case 'model':
      return bracket ? modelBracketItems(request, bracket) : modelStatementItems(request);
    case 'train':
      return bracket ? trainBracketItems(request, bracket) : trainSettingItems(context);
  }
}

// Top level

function topLevelItems({ analysis, context, range }: Request): CompletionItem[] {
  if (context.place === 'models' && context.declaration?.kind === 'TrainDeclaration') {
    const listed = new Set(context.declaration.models.filter((name) => name.end <= range.pos).map((name) => name.text));
    return modelNames(analysis).filter((name) => !listed.has(name)).map((name) => ({ label: name, kind: 'module', detail: 'model' }));
  }
  if (context.place !== 'start') return [];
  const names = modelNames(analysis);
  const trainedModel = names.length > 0 ? `\${1|${names.join(',')}|}` : '${1:Model}';
  return [
    {
      label: 'model',
      kind: 'snippet',
      detail: 'model Name { … }',
      documentation: 'A model: its inputs and layers.',
      insertText: 'model ${1:Name} {\n  input [${2:784}]\n  $0\n}',
      insertTextFormat: 'snippet',
    },
    {
      label: 'train',
      kind: 'snippet',
      detail: 'train Model { … }',
      documentation: 'How to train a model: data, loss, optimizer and epochs.',
      insertText: `train ${trainedModel} {\n  data      = \${2:xor()}\n  loss      = \${3:binary_crossentropy}\n  optimizer = \${4:Adam(learning_rate=0.001)}\n  epochs    = \${5:10}\n}`,
      insertTextFormat: 'snippet',
    },
  ];
}

function modelNames(analysis: Analysis): string[] {
  return analysis.models.map((model) => model.network.name);
}

// Models

function modelStatementItems(request: Request): CompletionItem[] {
  switch (request.context.place) {
    case 'start':
      return [...tensorItems(request), ...KEYWORD_ITEMS, ...LAYER_ITEMS];
    case 'step':
      return LAYER_ITEMS;
    case 'head':
      return [...tensorItems(request), ...LAYER_ITEMS];
    default:
      return [];
  }
}

function modelBracketItems(request: Request, bracket: OpenBracket): CompletionItem[] {
  if (bracket.callee) {
    const spec = findLayer(bracket.callee.text);
    return spec ? argumentItems(request, spec, bracket) : [];
  }
  // A tuple at the head of a pipeline, `(a, b) -> Add()`, holds tensors; an input's shape holds numbers.
  const { brackets, statement } = request.context;
  const isPipelineTuple = brackets.length === 1 && bracket.node.kind === 'Tuple' && statement?.kind !== 'InputStatement';
  return isPipelineTuple && bracket.typed === 'nothing' ? tensorItems(request) : [];
}

/** The model's named tensors, each with its shape; not the one the statement is defining, which would be a cycle. */
function tensorItems({ analysis, context, range }: Request): CompletionItem[] {
  const model = analysis.models.find((candidate) => candidate.bound.declaration === context.declaration);
  if (!model) return [];
  const defining = context.statement?.kind === 'AssignStatement' ? context.statement.name.text : undefined;
  const items: CompletionItem[] = [];
  for (const symbol of model.bound.symbols.values()) {
    if (symbol.name === defining) continue;
    const node = model.bound.resolve(symbol.value);
    const shape = node && layerOfNode(model, node)?.outputShape;
    items.push({ label: symbol.name, kind: 'variable', detail: shape ? formatShape(shape) : 'tensor', range, sortText: `0${symbol.name}` });
  }
  return items;
}

function layerItem(spec: LayerSpec): CompletionItem {
  const documentation = spec.tfjsNote ? `${spec.doc}\n\n*TensorFlow.js:* ${spec.tfjsNote}` : spec.doc;
  return { label: spec.name, kind: 'class', detail: `${spec.category} layer`, documentation, insertText: callSnippet(spec), insertTextFormat: 'snippet', sortText: `2${spec.name}` };
}

// Train blocks

function trainSettingItems(context: CursorContext): CompletionItem[] {
  if (context.place === 'start') return settingKeyItems(context);
  if (context.place === 'value' && context.statement?.kind === 'Setting') return settingValueItems(context.statement.key.text);
  return [];
}

/** The settings not yet given in this block (the one being typed aside). */
function settingKeyItems(context: CursorContext): CompletionItem[] {
  const settings = context.declaration?.kind === 'TrainDeclaration' ? context.declaration.settings : [];
  const given = new Set(settings.filter((setting) => setting.key.pos !== context.word?.pos).map((setting) => setting.key.text));
  return SETTINGS.filter((setting) => !given.has(setting.name)).map((setting, index) => {
    const valued = setting.default !== undefined && (setting.kind === 'int' || setting.kind === 'bool');
    return {
      label: setting.name,
      kind: 'property',
      detail: setting.default === undefined ? 'required' : `default ${setting.default}`,
      documentation: setting.doc,
      insertText: valued ? `${setting.name} = \${1:${setting.default}}` : `${setting.name} = $0`,
      insertTextFormat: 'snippet',
      sortText: String(index).padStart(2, '0'),
    };
  });
}

function settingValueItems(key: string): CompletionItem[] {
  switch (key) {
    case 'loss':
      return LOSSES.map((loss) => ({ label: loss.name, kind: 'enumMember', detail: 'loss', documentation: loss.doc }));
    case 'metrics':
      return METRIC_ITEMS;
    case 'optimizer':
      return OPTIMIZERS.map((optimizer) => callableItem(optimizer, 'optimizer'));
    case 'schedule':
      return SCHEDULES.map((schedule) => callableItem(schedule, 'learning-rate schedule'));
    case 'callbacks':
      return CALLBACK_ITEMS;
    case 'data':
    case 'validation':
      return DATA_SOURCES.map((source) => callableItem(source, 'data source'));
    case 'shuffle':
      return BOOLEAN_ITEMS;
    default:
      return [];
  }
}

function trainBracketItems(request: Request, bracket: OpenBracket): CompletionItem[] {
  if (bracket.node.kind === 'Dict') return bracket.typed === 'nothing' ? dictKeyItems(request, bracket) : [];
  if (bracket.callee) {
    const signature = calleeSignature('train', bracket.callee.text);
    return signature ? argumentItems(request, signature, bracket) : [];
  }
  // `metrics = [accuracy, |]` and `callbacks = [|]`.
  const statement = request.context.statement;
  const key = statement?.kind === 'Setting' ? statement.key.text : undefined;
  const inSettingList = request.context.brackets.length === 1 && bracket.node.kind === 'List' && bracket.typed === 'nothing';
  if (inSettingList && key === 'metrics') return METRIC_ITEMS;
  if (inSettingList && key === 'callbacks') return CALLBACK_ITEMS;
  return [];
}

/**
 * The keys of a dict: the trained models' input names in `inputs={…}`, their
 * output names in `label={…}` and in the loss, loss_weights and metrics
 * dicts; not those already given.
 */
function dictKeyItems({ analysis, context }: Request, bracket: OpenBracket): CompletionItem[] {
  const { brackets, statement } = context;
  const depth = brackets.indexOf(bracket);
  const outer = depth > 0 ? brackets[depth - 1] : undefined;
  const setting = statement?.kind === 'Setting' ? statement.key.text : undefined;
  const argument = outer?.callee ? outer.keyword : undefined;
  const wanted = argument === 'inputs' ? 'input' : argument === 'label' || (depth === 0 && (setting === 'loss' || setting === 'loss_weights' || setting === 'metrics')) ? 'output' : undefined;
  const block = analysis.trainBlocks.find((candidate) => candidate.declaration === context.declaration);
  if (!wanted || !block) return [];
  const names = new Set(block.models.flatMap((network) => (wanted === 'input' ? network.inputs : network.outputs).map((layer) => layer.name)));
  return [...names].filter((name) => !bracket.previous.includes(name)).map((name) => ({ label: name, kind: 'property', detail: `model ${wanted}`, insertText: `${name}: ` }));
}

function callableItem(signature: Signature, kind: string): CompletionItem {
  return { label: signature.name, kind: 'function', detail: kind, documentation: signature.doc, insertText: callSnippet(signature), insertTextFormat: 'snippet' };
}

// Arguments

/**
 * Inside a call's parentheses: at an argument's start, the keyword arguments
 * not yet given and the values of the next positional one; after `name=`,
 * the values that argument takes.
 */
function argumentItems(request: Request, signature: Signature, bracket: OpenBracket): CompletionItem[] {
  const keyword = bracket.keyword;
  if (keyword !== undefined) {
    const param = signature.params.find((candidate) => candidate.name === keyword);
    return param && bracket.typed === 'keyword' ? valueItems(request, param.type) : [];
  }
  if (bracket.typed !== 'nothing') return [];
  const given = givenArguments(request, signature, bracket);
  const items: CompletionItem[] = [];
  const position = bracket.previous.length;
  const positionalSoFar = bracket.previous.every((previous) => previous === undefined);
  const next = signature.params[position];
  if (positionalSoFar && next && position < signature.positional && !given.has(next.name)) {
    items.push(...valueItems(request, next.type).map((item) => ({ ...item, sortText: `0${item.label}` })));
  }
  signature.params.forEach((param, index) => {
    if (!given.has(param.name)) items.push(keywordItem(param, index));
  });
  return items;
}

/** Arguments already given: before the cursor, by keyword or position; after it, by keyword. */
function givenArguments({ offset }: Request, signature: Signature, bracket: OpenBracket): Set<string> {
  const given = new Set<string>();
  bracket.previous.forEach((keyword, index) => {
    const name = keyword ?? (index < signature.positional ? signature.params[index]!.name : undefined);
    if (name !== undefined) given.add(name);
  });
  if (bracket.node.kind === 'Call') {
    for (const arg of bracket.node.args) {
      if (arg.name && arg.pos >= offset) given.add(arg.name.text);
    }
  }
  return given;
}

function keywordItem(param: ParamSpec, index: number): CompletionItem {
  const fallback = formatDefault(param);
  return {
    label: `${param.name}=`,
    kind: 'property',
    detail: `${formatParamType(param.type)}${fallback === undefined ? ', required' : ` = ${fallback}`}`,
    documentation: param.doc,
    insertText: `${param.name}=${placeholder(param, { next: 1 })}`,
    insertTextFormat: 'snippet',
    sortText: `1${String(index).padStart(2, '0')}`,
  };
}

function valueItems(request: Request, type: ArgType): CompletionItem[] {
  switch (type.kind) {
    case 'activation':
      return ACTIVATIONS.map((activation) => ({ label: activation.name, kind: 'enumMember', detail: 'activation', documentation: activation.doc }));
    case 'enum':
      return type.values.map((value) => ({ label: value, kind: 'enumMember' }));
    case 'bool':
      return BOOLEAN_ITEMS;
    case 'layer':
      return type.accepts.map((name) => findLayer(name)).filter((spec): spec is LayerSpec => spec !== undefined).map(layerItem);
    case 'monitor':
      return monitorItems(request);
    case 'optional':
      return [...valueItems(request, type.of), { label: 'none', kind: 'keyword' }];
    default:
      return [];
  }
}

/** What training records, for callbacks to monitor: the loss and the metrics, and their val_ twins. */
function monitorItems({ analysis, context }: Request): CompletionItem[] {
  const block = analysis.trainBlocks.find((candidate) => candidate.declaration === context.declaration);
  const recorded = ['loss', ...(block?.metrics ?? []).map((metric) => (metric === 'accuracy' ? 'acc' : metric))];
  return [...recorded.map((name) => `val_${name}`), ...recorded].map((name) => ({ label: name, kind: 'enumMember', detail: 'recorded quantity' }));
}

// Snippets

/** Arguments worth writing out although they have defaults: the first thing one tunes, and the column the data is labelled by. */
const SNIPPET_EXTRAS: readonly string[] = ['learning_rate', 'label'];

/** Placeholders more telling than a parameter's name. */
const PLACEHOLDER_TEXT: Readonly<Record<string, string>> = { path: 'file.csv' };

/** Arguments every layer takes (name, trainable): a layer with no others is written `Flatten()`, the cursor after it. */
const SHARED_LAYER_PARAMS = new Set(LAYERS[0]!.params.map((param) => param.name).filter((name) => LAYERS.every((layer) => layer.params.some((param) => param.name === name))));

/**
 * `Dense(${1:units})`, `Conv2D(${1:filters}, ${2:kernel_size})`,
 * `csv("${1:file.csv}", label="${2:label}")`: the required arguments (and the
 * extras) as placeholders, by position while no earlier one is left out.
 */
function callSnippet(signature: Signature): string {
  const counter = { next: 1 };
  const parts: string[] = [];
  let skipped = false;
  signature.params.forEach((param, index) => {
    const required = param.default === undefined;
    if (!required && !SNIPPET_EXTRAS.includes(param.name)) {
      skipped = true;
      return;
    }
    const value = placeholder(param, counter);
    parts.push(required && !skipped && index < signature.positional ? value : `${param.name}=${value}`);
  });
  if (parts.length > 0) return `${signature.name}(${parts.join(', ')})`;
  const takesArguments = signature.params.some((param) => !SHARED_LAYER_PARAMS.has(param.name));
  return takesArguments ? `${signature.name}($0)` : `${signature.name}()`;
}

/** A tab stop holding the default, or a hint for a required value; a choice for enumerations and wrapped layers; strings in quotes. */
function placeholder(param: ParamSpec, counter: { next: number }): string {
  const type = baseType(param.type);
  const stop = counter.next++;
  if (type.kind === 'layer') return `\${${stop}|${type.accepts.join(',')}|}(\${${counter.next++}:units})`;
  if (type.kind === 'enum') {
    const fallback = typeof param.default === 'string' ? [param.default] : [];
    return `\${${stop}|${[...fallback, ...type.values.filter((value) => value !== param.default)].join(',')}|}`;
  }
  // A label column is written as a string, though a model with several outputs may name one per output.
  if (type.kind === 'string' || (type.kind === 'columns' && type.single)) {
    const text = typeof param.default === 'string' ? param.default : PLACEHOLDER_TEXT[param.name] ?? param.name;
    return `"\${${stop}:${escapeSnippet(text)}}"`;
  }
  const text = formatDefault(param) ?? PLACEHOLDER_TEXT[param.name] ?? param.name;
  return `\${${stop}:${escapeSnippet(text)}}`;
}

function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, '\\$&');
}

// Items that do not depend on the file, made once (after the snippet tables they use).

const KEYWORD_ITEMS: CompletionItem[] = [
  { label: 'input', kind: 'keyword', detail: 'input name: [d1, d2, …]', documentation: 'Declares an input, its shape without the batch dimension: `input pixels: [784]`.', sortText: '1input' },
  { label: 'output', kind: 'keyword', detail: 'output a, b', documentation: 'Lists the model\'s outputs; without it, the last statement\'s result is the output.', sortText: '1output' },
];

const LAYER_ITEMS: CompletionItem[] = LAYERS.map(layerItem);

const METRIC_ITEMS: CompletionItem[] = METRICS.map((metric) => ({ label: metric.name, kind: 'enumMember', detail: 'metric', documentation: metric.doc }));
const CALLBACK_ITEMS: CompletionItem[] = CALLBACKS.map((callback) => callableItem(callback, 'callback'));

const BOOLEAN_ITEMS: CompletionItem[] = [
  { label: 'true', kind: 'keyword' },
  { label: 'false', kind: 'keyword' },
];
