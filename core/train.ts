/**
 * Checks train blocks: known settings and names, argument types, and whether
 * the settings can work with the model: a loss that fits the output layer,
 * as many output units as the data has classes, data that fits the input.
 * Data files are read only through the host, never directly: the core does
 * no I/O.
 */
import { checkValue, evaluateNumber, nameOf, resolveArguments, type ArgumentContext } from './catalog/arguments';
import { elementCount, formatShape } from './catalog/shape';
import { CALLBACKS, DATA_SOURCES, findByName, LOSSES, METRICS, OPTIMIZERS, SCHEDULES, SETTINGS, type DataSourceSpec, type LossSpec, type ScalarTarget } from './catalog/training';
import type { KeyedColumns, ResolvedArgs, Signature } from './catalog/types';
import { createDiagnostic, createSuggestedDiagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics';
import { checkNumpy } from './numpyData';
import { layerSpec, type Network, type NetworkLayer } from './shapes';
import { closestMatch } from './suggest';
import { checkInputColumns, columnDiagnostics, resolveInputColumns, type InputSize } from './trainInputs';
import type { CallExpression, DictEntry, DictExpression, Expression, Setting, TextRange, TrainDeclaration } from './syntax/tree';

/** Why a data file has no header row to check: the host's answer in place of one. */
export interface DataFileProblem {
  /** 'missing': no such file; 'empty': no header row; 'not-regular': not a file; 'unreadable': reading failed; 'invalid': not a file of its format. */
  problem: 'missing' | 'empty' | 'not-regular' | 'unreadable' | 'invalid';
  /** What the path names ('a directory', 'a named pipe') for 'not-regular'; why, in words, for 'unreadable' and 'invalid'. */
  detail?: string;
}

/**
 * What the core may ask of the world about data files. Paths are as the
 * .net file writes them, relative to its folder. Answers are synchronous:
 * a host that must read the file first answers undefined ("cannot tell
 * yet") and the file goes unchecked in this analysis, without cascades.
 */
export interface DataHost {
  /** The column names of a CSV file's header row (trimmed), a problem instead of one, or undefined when the host cannot tell. */
  csvHeader(path: string): string[] | DataFileProblem | undefined;
  /**
   * How many classes the label column holds, counted as the trainer counts
   * them (distinct trimmed labels; numbers by value when every label is a
   * number); undefined when the host cannot tell.
   */
  csvClasses?(path: string, label: string): number | undefined;
  /** The arrays of a NumPy file (.npy: one, named ''; .npz: each member) from their headers, a problem instead, or undefined when the host cannot tell. */
  numpyArrays?(path: string): NumpyArrays | DataFileProblem | undefined;
  /** How many distinct values a NumPy file's array holds (each a class, as the trainer counts them); undefined when the host cannot tell. */
  numpyClasses?(path: string, array: string): number | undefined;
  /**
   * An image folder's classes (its sub-folders, in sorted order) with the
   * number of images in each, a problem instead, or undefined when the host
   * cannot tell.
   */
  imageFolder?(path: string): ImageFolderInfo | DataFileProblem | undefined;
}

/** What the checker knows of a folder of class folders, as `images(...)` reads it. */
export interface ImageFolderInfo {
  classes: { name: string; images: number }[];
}

/** The arrays of a NumPy file, as their headers describe them. */
export interface NumpyArrays {
  arrays: NumpyArrayHeader[];
}

export interface NumpyArrayHeader {
  /** '' for a .npy file; for an .npz archive, the name it was saved under (the member without `.npy`). */
  name: string;
  /** The array's shape; absent when its header could not be read. */
  shape?: number[];
  /** The dtype in words ('float32', 'complex (<c16)'); absent when its header could not be read. */
  dtype?: string;
  /** Whether the trainer reads the dtype (bool, integers, floats). */
  readable?: boolean;
  /** Why the header could not be read, in words. */
  problem?: string;
}

export interface DataSourceUse {
  spec: DataSourceSpec;
  args: ResolvedArgs;
  range: TextRange;
  /** Feature columns of a CSV file, once its header has been read and holds the label column. */
  featureCount?: number;
  /** How many values a sample each input named by `inputs=` gets, once the file's header has been read. */
  inputSizes?: InputSize[];
  /** One sample's shape as a NumPy file gives it (the array's shape without its first axis). */
  sampleShape?: number[];
  /** How many classes a NumPy file's labels hold, where the host could count them. */
  labelClasses?: number;
  /** The class names of an image folder, once the host has listed it. */
  classNames?: string[];
}

/** A checked train block: the settings as values, for the trainer and the editor. */
export interface TrainBlock {
  declaration: TrainDeclaration;
  /** The models it trains, those the file defines. */
  models: Network[];
  data?: DataSourceUse;
  validation?: DataSourceUse | number;
  /** The loss of every output; for a loss written per output, the first output's. */
  loss?: LossSpec;
  /** The loss of each output by output name, where the loss is written as a dict. */
  outputLosses?: Record<string, LossSpec>;
  /** `loss_weights`: each output's loss weight by output name; 1 for those it leaves out. */
  lossWeights?: Record<string, number>;
  /** The metrics of each output by output name, where they are written as a dict; `metrics` holds those of every output otherwise. */
  outputMetrics?: Record<string, string[]>;
  /** The optimizer written, or the catalog's default one with its default arguments. */
  optimizer: { spec: Signature; args: ResolvedArgs };
  metrics: string[];
  schedule?: { spec: Signature; args: ResolvedArgs };
  callbacks: { spec: Signature; args: ResolvedArgs; range: TextRange }[];
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed?: number;
  ensemble: number;
  /** Setting nodes by name, for hovers and go-to. */
  settings: Map<string, Setting>;
}

export function checkTrainBlock(
  declaration: TrainDeclaration,
  networks: ReadonlyMap<string, Network>,
  text: string,
  diagnostics: Diagnostic[],
  host?: DataHost,
): TrainBlock {
  return new TrainChecker(declaration, networks, text, diagnostics, host).check();
}

class TrainChecker {
  private readonly context: ArgumentContext;
  private readonly block: TrainBlock;

  constructor(
    private readonly declaration: TrainDeclaration,
    private readonly networks: ReadonlyMap<string, Network>,
    private readonly text: string,
    private readonly diagnostics: Diagnostic[],
    private readonly host?: DataHost,
  ) {
    this.context = { text, diagnostics };
    this.block = {
      declaration,
      models: [],
      metrics: [],
      callbacks: [],
      ...scalarDefaults(),
      optimizer: defaultOptimizer(),
      settings: new Map(),
    };
  }

  check(): TrainBlock {
    this.resolveModels();
    for (const setting of this.declaration.settings) this.checkSetting(setting);
    const anchor = this.declaration.models[0] ?? this.declaration.keyword;
    if (!this.block.settings.has('data')) this.diagnostics.push(createDiagnostic('missing-setting', anchor, 'data', 'data = xor()'));
    if (!this.block.settings.has('loss')) this.diagnostics.push(createDiagnostic('missing-setting', anchor, 'loss', 'loss = categorical_crossentropy'));
    this.checkValidationClasses();
    for (const network of this.block.models) this.checkModelFit(network);
    this.checkMonitors();
    return this.block;
  }

  private resolveModels(): void {
    for (const identifier of this.declaration.models) {
      const network = this.networks.get(identifier.text);
      if (!network) {
        const suggestion = closestMatch(identifier.text, this.networks.keys());
        this.diagnostics.push(createSuggestedDiagnostic('unknown-model', identifier, suggestion, identifier.text, suggestion));
        continue;
      }
      this.block.models.push(network);
    }
  }

  private checkSetting(setting: Setting): void {
    const name = setting.key.text;
    const spec = SETTINGS.find((s) => s.name === name);
    if (!spec) {
      const suggestion = closestMatch(name, SETTINGS.map((s) => s.name));
      this.diagnostics.push(createSuggestedDiagnostic('unknown-setting', setting.key, suggestion, name, suggestion));
      return;
    }
    if (this.block.settings.has(name)) {
      this.diagnostics.push(createDiagnostic('duplicate-setting', setting.key, name));
      return;
    }
    this.block.settings.set(name, setting);
    const value = setting.value;
    if (value.kind === 'Missing') return;
    switch (spec.kind) {
      case 'data':
        this.block.data = this.dataSource(value);
        break;
      case 'validation': {
        const fraction = evaluateNumber(value);
        if (fraction !== undefined) {
          const checked = checkValue({ kind: 'float', min: 0, max: 1, minOpen: true, maxOpen: true }, value, 'validation', 'fraction', this.context);
          if (typeof checked === 'number') this.block.validation = checked;
        } else {
          this.block.validation = this.dataSource(value);
        }
        break;
      }
      case 'loss':
        if (value.kind === 'Dict') this.lossDict(value);
        else this.block.loss = this.named(value, LOSSES, 'unknown-loss');
        break;
      case 'lossWeights':
        this.lossWeights(value);
        break;
      case 'optimizer':
        // A bad optimizer is reported and the default one stands in, so that checking goes on.
        this.block.optimizer = this.callOrName(value, OPTIMIZERS, 'unknown-optimizer') ?? this.block.optimizer;
        break;
      case 'metrics': {
        if (value.kind === 'Dict') {
          this.metricsDict(value);
          break;
        }
        const items = value.kind === 'List' ? value.elements : [value];
        for (const item of items) {
          const metric = this.named(item, METRICS, 'unknown-metric', ['acc']);
          if (metric) this.block.metrics.push(metric.name);
        }
        break;
      }
      case 'schedule':
        this.block.schedule = this.callOrName(value, SCHEDULES, 'unknown-schedule');
        break;
      case 'callbacks': {
        const items = value.kind === 'List' ? value.elements : [value];
        for (const item of items) {
          const callback = this.callOrName(item, CALLBACKS, 'unknown-callback');
          if (callback) this.block.callbacks.push({ ...callback, range: item });
        }
        break;
      }
      case 'int':
      case 'bool': {
        const checked = checkValue(spec.kind === 'int' ? { kind: 'int', min: spec.min } : { kind: 'bool' }, value, 'train', name, this.context);
        if (spec.target && typeof checked === (spec.kind === 'int' ? 'number' : 'boolean')) assignScalar(this.block, spec.target, checked as number | boolean);
        break;
      }
    }
  }

  /** `loss = {out_a: binary_crossentropy, out_b: mse}`: a loss per output; `loss` is the first one's. */
  private lossDict(value: DictExpression): void {
    const losses: Record<string, LossSpec> = {};
    for (const { key, entry } of this.dictEntries(value)) {
      const loss = this.named(entry.value, LOSSES, 'unknown-loss');
      if (loss) losses[key] = loss;
    }
    this.block.outputLosses = losses;
    this.block.loss = Object.values(losses)[0];
  }

  /** `loss_weights = {out_a: 1.0, out_b: 0.5}`: numbers, zero or more, per output. */
  private lossWeights(value: Expression): void {
    if (value.kind !== 'Dict') {
      this.diagnostics.push(createDiagnostic('argument-type', value, 'train', 'loss_weights', 'a dict such as {out_a: 1.0, out_b: 0.5}', `'${this.source(value)}'`));
      return;
    }
    const weights: Record<string, number> = {};
    for (const { key, entry } of this.dictEntries(value)) {
      const weight = checkValue({ kind: 'float', min: 0 }, entry.value, 'train', `loss_weights[${key}]`, this.context);
      if (typeof weight === 'number') weights[key] = weight;
    }
    this.block.lossWeights = weights;
  }

  /** `metrics = {out_a: [accuracy], out_b: [mse]}`: metrics per output. */
  private metricsDict(value: DictExpression): void {
    const metrics: Record<string, string[]> = {};
    for (const { key, entry } of this.dictEntries(value)) {
      const items = entry.value.kind === 'List' ? entry.value.elements : [entry.value];
      metrics[key] = [];
      for (const item of items) {
        if (item.kind === 'Missing') continue;
        const metric = this.named(item, METRICS, 'unknown-metric', ['acc']);
        if (metric) metrics[key].push(metric.name);
      }
    }
    this.block.outputMetrics = metrics;
  }

  /** A dict's entries with their keys as text; a key written twice is reported and its entry left out. */
  private dictEntries(dict: DictExpression): { key: string; entry: DictEntry }[] {
    const seen: { key: string; entry: DictEntry }[] = [];
    for (const entry of dict.entries) {
      const key = entry.key.kind === 'Identifier' ? entry.key.text : entry.key.value;
      if (seen.some((other) => other.key === key)) this.diagnostics.push(createDiagnostic('duplicate-key', entry.key, key));
      else if (entry.value.kind !== 'Missing') seen.push({ key, entry });
    }
    return seen;
  }

  /** A name from a list (a loss, a metric), written bare or as a string. */
  private named<T extends { name: string; aliases?: string[] }>(value: Expression, items: readonly T[], code: 'unknown-loss' | 'unknown-metric', extra: string[] = []): T | undefined {
    const name = nameOf(value);
    if (name === undefined) {
      this.diagnostics.push(createDiagnostic('argument-type', value, 'train', code === 'unknown-loss' ? 'loss' : 'metrics', 'a name such as accuracy', `'${this.source(value)}'`));
      return undefined;
    }
    if (extra.includes(name)) return items[0];
    const found = findByName(items, name);
    if (found) return found;
    const suggestion = closestMatch(name, items.flatMap((item) => [item.name, ...(item.aliases ?? [])]));
    this.diagnostics.push(createSuggestedDiagnostic(code, value, suggestion, name, suggestion));
    return undefined;
  }

  /** `Adam(learning_rate=0.01)`, or just `Adam` / `adam` for the defaults. */
  private callOrName(value: Expression, specs: readonly Signature[], code: DiagnosticCode & ('unknown-optimizer' | 'unknown-schedule' | 'unknown-callback')): { spec: Signature; args: ResolvedArgs } | undefined {
    const name = value.kind === 'Call' ? value.callee.text : nameOf(value);
    const at: TextRange = value.kind === 'Call' ? value.callee : value;
    if (name === undefined) {
      this.diagnostics.push(createDiagnostic('argument-type', value, 'train', code.replace('unknown-', ''), 'a call such as Adam(learning_rate=0.001)', `'${this.source(value)}'`));
      return undefined;
    }
    const spec = specs.find((s) => s.name === name) ?? (value.kind === 'Call' ? undefined : specs.find((s) => s.name.toLowerCase() === name.toLowerCase()));
    if (!spec) {
      const suggestion = closestMatch(name, specs.map((s) => s.name));
      this.diagnostics.push(createSuggestedDiagnostic(code, at, suggestion, name, suggestion));
      return undefined;
    }
    if (value.kind !== 'Call') return { spec, args: defaultsOf(spec) };
    const resolution = resolveArguments(spec, value, this.context);
    return resolution.complete ? { spec, args: resolution } : undefined;
  }

  private dataSource(value: Expression): DataSourceUse | undefined {
    if (value.kind !== 'Call') {
      const name = nameOf(value);
      const spec = name !== undefined ? DATA_SOURCES.find((s) => s.name === name) : undefined;
      if (spec && spec.params.every((param) => param.default !== undefined)) return { spec, args: defaultsOf(spec), range: value };
      this.diagnostics.push(createDiagnostic('argument-type', value, 'train', 'data', 'a data source such as csv("train.csv") or xor()', `'${this.source(value)}'`));
      return undefined;
    }
    const spec = DATA_SOURCES.find((s) => s.name === value.callee.text);
    if (!spec) {
      const suggestion = closestMatch(value.callee.text, DATA_SOURCES.map((s) => s.name));
      this.diagnostics.push(createSuggestedDiagnostic('unknown-data-source', value.callee, suggestion, value.callee.text, suggestion));
      return undefined;
    }
    const resolution = resolveArguments(spec, value, this.context);
    if (!resolution.complete) return undefined;
    const use = { spec, args: resolution, range: { pos: value.pos, end: value.end } };
    if (spec.name === 'csv') this.checkCsv(use, value);
    if (spec.name === 'npy' || spec.name === 'npz') checkNumpy(use, value, this.diagnostics, this.host);
    if (spec.name === 'images') this.checkImageFolder(use, value);
    return use;
  }

  /** An image folder as the host lists it: a folder, with class folders, none of them empty; its classes are kept for the checks against the model. */
  private checkImageFolder(use: DataSourceUse, call: CallExpression): void {
    if (!this.host?.imageFolder) return;
    const path = use.args.values['path'] as string;
    const pathRange = use.args.ranges['path'] ?? call;
    const folder = this.host.imageFolder(path);
    if (folder === undefined) return;
    if (!('classes' in folder)) {
      const diagnostic = folder.problem === 'not-regular' ? createDiagnostic('image-folder-not-directory', pathRange, path, folder.detail ?? 'not a folder') : dataFileDiagnostic(folder, pathRange, path);
      this.diagnostics.push(diagnostic);
      return;
    }
    if (folder.classes.length === 0) {
      this.diagnostics.push(createDiagnostic('image-folder-no-classes', pathRange, path));
      return;
    }
    const empty = folder.classes.find((item) => item.images === 0);
    if (empty) {
      this.diagnostics.push(createDiagnostic('image-class-empty', pathRange, `${path.replace(/\/+$/, '')}/${empty.name}`));
      return;
    }
    use.classNames = folder.classes.map((item) => item.name);
  }

  /** Validation images are labelled by the training folder's classes: a class folder the training folder lacks has no output unit. */
  private checkValidationClasses(): void {
    const data = this.block.data;
    const validation = this.block.validation;
    if (typeof validation !== 'object' || !data?.classNames || !validation.classNames) return;
    const known = data.classNames;
    const stray = validation.classNames.find((name) => !known.includes(name));
    if (stray === undefined) return;
    const path = validation.args.values['path'] as string;
    const suggestion = closestMatch(stray, known);
    this.diagnostics.push(createDiagnostic('image-class-not-in-training', validation.args.ranges['path'] ?? validation.range, stray, path, data.args.values['path'] as string, suggestion));
  }

  private checkCsv(use: DataSourceUse, call: CallExpression): void {
    if (!this.host) return;
    const path = use.args.values['path'] as string;
    const pathRange = use.args.ranges['path'] ?? call;
    const header = this.host.csvHeader(path);
    if (header === undefined) return;
    if (!Array.isArray(header)) {
      this.diagnostics.push(dataFileDiagnostic(header, pathRange, path));
      return;
    }
    const labels = keyedLabels(use);
    if (labels) {
      if (!this.checkLabelColumns(use, labels, header, path)) return;
    } else {
      const label = use.args.values['label'] as string;
      if (!header.includes(label)) {
        const suggestion = closestMatch(label, header);
        const range = use.args.ranges['label'] ?? pathRange;
        this.diagnostics.push(createSuggestedDiagnostic('data-label-not-found', range, suggestion, label, path, suggestion));
        return;
      }
      use.featureCount = header.length - 1;
    }
    const inputs = keyedInputs(use);
    if (inputs) {
      const resolved = resolveInputColumns(inputs, header, labels ? labels.entries.map((entry) => entry.columns[0]!) : [use.args.values['label'] as string]);
      this.diagnostics.push(...columnDiagnostics(resolved.problems, header, path));
      use.inputSizes = resolved.inputs.map((input) => ({ name: input.name, size: input.columns.length, unit: 'column', complete: input.complete }));
    }
  }

  /** A label column per output: one column each, in the header; the features are the other columns. False when one is not. */
  private checkLabelColumns(use: DataSourceUse, labels: KeyedColumns, header: readonly string[], path: string): boolean {
    let found = true;
    for (const entry of labels.entries) {
      const column = entry.columns[0]!;
      if (entry.columns.length !== 1) {
        this.diagnostics.push(createDiagnostic('argument-type', entry.range, 'csv', `label[${entry.key}]`, 'one column name', `'${this.source(entry.range)}'`));
        found = false;
      } else if (!header.includes(column)) {
        const suggestion = closestMatch(column, header);
        this.diagnostics.push(createSuggestedDiagnostic('data-label-not-found', entry.range, suggestion === undefined ? undefined : JSON.stringify(suggestion), column, path, suggestion));
        found = false;
      }
    }
    if (found) use.featureCount = header.length - labels.entries.length;
    return found;
  }

  /** The data fits the input; the loss fits the output; the output fits the classes. */
  private checkModelFit(network: Network): void {
    for (const source of [this.block.data, typeof this.block.validation === 'object' ? this.block.validation : undefined]) {
      if (!source) continue;
      // Labels missing for some outputs are reported once; the columns meant for them would count as features here.
      if (network.outputs.length > 1 && (keyedLabels(source)?.entries.length ?? 1) < network.outputs.length) continue;
      const keyed = keyedInputs(source);
      if (keyed || network.inputs.length > 1) checkInputColumns(network, keyed, source.inputSizes, source.args.ranges['inputs'] ?? source.range, this.diagnostics);
      else this.checkDataFitsInput(source, network);
    }
    const lossSetting = this.block.settings.get('loss');
    if (!lossSetting) return;
    if (network.outputs.length > 1 || this.block.outputLosses || (this.block.data && keyedLabels(this.block.data))) {
      this.checkOutputs(network, lossSetting);
      return;
    }
    const output = network.outputs[0];
    const loss = this.block.loss;
    const data = this.block.data;
    if (!output || !loss) return;
    this.checkOutputFit(network, output, loss, lossSetting.value, data?.spec.classes?.(data.args.values) ?? data?.classNames?.length, data ? (this.csvClasses(data) ?? data.labelClasses) : undefined);
  }

  /**
   * A model with several outputs (or a loss or labels written per output):
   * every output has a loss and labels, every key is an output, and each
   * output fits its loss and its label column's classes.
   */
  private checkOutputs(network: Network, lossSetting: Setting): void {
    const names = network.outputs.map((output) => output.name);
    const data = this.block.data;
    const labels = data ? keyedLabels(data) : undefined;
    const losses = this.block.outputLosses;
    const unknownKeys = (entries: { key: string; keyRange: TextRange }[]): void => {
      for (const entry of entries) {
        if (names.includes(entry.key)) continue;
        const suggestion = closestMatch(entry.key, names.filter((name) => !entries.some((other) => other.key === name)));
        this.diagnostics.push(createSuggestedDiagnostic('unknown-output', entry.keyRange, suggestion, entry.key, network.name, suggestion));
      }
    };
    if (losses) unknownKeys(this.outputKeys(lossSetting));
    for (const setting of ['loss_weights', 'metrics']) {
      const written = this.block.settings.get(setting);
      if (written?.value.kind === 'Dict') unknownKeys(this.outputKeys(written));
    }
    if (labels) unknownKeys(labels.entries);
    for (const output of network.outputs) {
      const loss = losses ? losses[output.name] : this.block.loss;
      if (!loss) {
        if (losses) this.diagnostics.push(createDiagnostic('output-loss-missing', lossSetting.value, output.name, network.name));
        continue;
      }
      const entry = labels?.entries.find((candidate) => candidate.key === output.name);
      if (data && !entry) {
        const range = data.args.ranges['label'] ?? data.args.ranges['y'] ?? data.range;
        this.diagnostics.push(createDiagnostic('output-label-missing', range, output.name, network.name, `${data.spec.name === 'npz' ? 'y' : 'label'}={${names.map((name) => `${name}: "…"`).join(', ')}}`));
        continue;
      }
      const column = entry?.columns[0];
      const found = column !== undefined && data?.featureCount !== undefined && this.host?.csvClasses ? this.host.csvClasses(data.args.values['path'] as string, column) : undefined;
      this.checkOutputFit(network, output, loss, lossSetting.value, undefined, found);
    }
  }

  /** The keys of a setting written as a dict, with their ranges. */
  private outputKeys(setting: Setting): { key: string; keyRange: TextRange }[] {
    if (setting.value.kind !== 'Dict') return [];
    return setting.value.entries.map((entry) => ({ key: entry.key.kind === 'Identifier' ? entry.key.text : entry.key.value, keyRange: entry.key }));
  }

  /**
   * One output against its loss: flat for a classifier, an activation the
   * loss expects, and as many units as the classes (`classes`, where the
   * source fixes them; `found`, those a CSV label column holds).
   */
  private checkOutputFit(network: Network, output: NetworkLayer, loss: LossSpec, lossRange: TextRange, classes: number | undefined, found: number | undefined): void {
    if (!output.outputShape) return;
    if (loss.target !== 'regression' && output.outputShape.length > 2) {
      const dense = firstDenseOnImage(network, output);
      const message = `model '${network.name}' outputs ${formatShape(output.outputShape)}, but ${loss.name} needs (None, classes): insert Flatten() before ${dense?.type ?? 'the output layer'}`;
      this.report('output-not-flat', dense ? dense.range : lossRange, message);
      return;
    }
    const units = output.outputShape[output.outputShape.length - 1];
    if (typeof units !== 'number') return;
    const activation = outputActivation(network, output);
    // Messages name the output too, where the model has several: "model 'Net' output 'dense_1' ends in softmax".
    const name = network.outputs.length > 1 ? `${network.name}' output '${output.name}` : network.name;

    if (loss.target === 'binary' && activation === 'softmax' && units > 1) {
      this.report('loss-output-mismatch', lossRange, `${loss.name} expects sigmoid outputs, but model '${name}' ends in softmax over ${units} units: use categorical_crossentropy, or Dense(1, activation=sigmoid)`);
      return;
    }
    if ((loss.target === 'categorical' || loss.target === 'sparse') && units === 1) {
      this.report('loss-output-mismatch', lossRange, `${loss.name} needs one output unit per class, but model '${name}' has 1 output unit${activation === 'sigmoid' ? ' (sigmoid)' : ''}: use binary_crossentropy, or Dense(classes, activation=softmax)`);
      return;
    }
    if ((loss.target === 'categorical' || loss.target === 'sparse') && activation === 'sigmoid') {
      this.report('loss-output-mismatch', lossRange, `${loss.name} expects a softmax output, but model '${name}' ends in sigmoid: use activation=softmax`);
      return;
    }
    if (loss.target === 'regression') return;
    const wanted = loss.target === 'binary' ? (units === 1 ? 2 : units) : units;
    if (classes !== undefined) {
      if (wanted !== classes) this.reportClasses(network, output, loss, units, classes, lossRange);
      return;
    }
    // A CSV file's (or NumPy labels') classes are those its labels hold; a class it lacks may still be one the output was given a unit for, as the trainer allows.
    if (found !== undefined && found >= 2 && found > wanted) this.reportClasses(network, output, loss, units, found, lossRange);
  }

  private reportClasses(network: Network, output: NetworkLayer, loss: LossSpec, units: number, classes: number, fallback: TextRange): void {
    const unitsRange = outputUnitsRange(output);
    const expected = loss.target === 'binary' && classes === 2 ? 1 : classes;
    const message = `model '${network.name}' has ${units} output unit${units === 1 ? '' : 's'}, but the data has ${classes} classes: use ${expected} unit${expected === 1 ? '' : 's'}`;
    this.diagnostics.push(createSuggestedDiagnostic('units-class-mismatch', unitsRange ?? fallback, unitsRange ? String(expected) : undefined, message));
  }

  /** The classes of a CSV file whose header holds the label column, when the host can count them. */
  private csvClasses(use: DataSourceUse): number | undefined {
    if (use.spec.name !== 'csv' || use.featureCount === undefined || !this.host?.csvClasses || keyedLabels(use)) return undefined;
    return this.host.csvClasses(use.args.values['path'] as string, use.args.values['label'] as string);
  }

  private checkDataFitsInput(source: DataSourceUse, network: Network): void {
    const input = network.inputs[0]?.outputShape;
    if (!input) return;
    const inputCount = elementCount(input);
    const reshape = source.args.values['shape'] as number[] | null | undefined;
    const features = source.spec.features?.(source.args.values) ?? source.sampleShape ?? (source.featureCount !== undefined ? [source.featureCount] : undefined);
    if (!features || inputCount === null) return;
    const count = features.reduce((a, b) => a * b, 1);
    const sampleShape = reshape ?? features;
    const describe = `${source.spec.name}()`;
    if (reshape) {
      const reshapeCount = reshape.reduce((a, b) => a * b, 1);
      if (reshapeCount !== count) {
        this.report('data-shape-mismatch', source.args.ranges['shape'] ?? source.range, `shape [${reshape.join(', ')}] holds ${reshapeCount} values, but each sample has ${count} features`);
        return;
      }
    }
    if (count !== inputCount && source.spec.name === 'images') {
      const range = source.args.ranges['size'] ?? source.args.ranges['color'] ?? source.range;
      this.report('data-shape-mismatch', range, `images() gives samples of shape [${features.join(', ')}] (${count} values), but model '${network.name}' takes ${formatShape(input)} (${inputCount} values): ${imageHint(input)}`);
      return;
    }
    if (count !== inputCount) {
      this.report('data-shape-mismatch', source.range, `${describe} gives ${count} features per sample, but model '${network.name}' takes ${formatShape(input)} (${inputCount} values)`);
      return;
    }
    const sameShape = sampleShape.length === input.length - 1 && sampleShape.every((dim, i) => dim === input[i + 1]);
    if (!sameShape && !source.spec.reshapes && input.length > 2) {
      const hint = source.spec.name === 'images' ? imageHint(input) : `add shape=[${input.slice(1).join(', ')}]`;
      this.report('data-shape-mismatch', source.range, `${describe} gives samples of shape [${sampleShape.join(', ')}], but model '${network.name}' takes ${formatShape(input)}: ${hint}`);
    }
  }

  /** Monitored quantities must be recorded: the loss, the metrics, and their val_ twins when there is validation data. */
  private checkMonitors(): void {
    const spelled = (m: string): string[] => (m === 'accuracy' ? ['acc', 'accuracy'] : [m]);
    const recorded = ['loss', ...this.block.metrics.flatMap(spelled)];
    // Several outputs record each one's loss and metrics under its name, as Keras does.
    for (const output of this.block.models.find((network) => network.outputs.length > 1)?.outputs ?? []) {
      const metrics = this.block.outputMetrics ? (this.block.outputMetrics[output.name] ?? []) : this.block.metrics;
      recorded.push(`${output.name}_loss`, ...metrics.flatMap(spelled).map((metric) => `${output.name}_${metric}`));
    }
    const hasValidation = this.block.validation !== undefined;
    const allowed = hasValidation ? [...recorded, ...recorded.map((r) => `val_${r}`)] : recorded;
    for (const callback of this.block.callbacks) {
      const monitor = callback.args.values['monitor'];
      if (typeof monitor !== 'string' || allowed.includes(monitor)) continue;
      const range = callback.args.ranges['monitor'] ?? callback.range;
      const hint = monitor.startsWith('val_') && !hasValidation ? `${allowed.join(', ')} (add validation = 0.2 to record val_ quantities)` : allowed.join(', ');
      this.diagnostics.push(createSuggestedDiagnostic('unknown-monitor', range, closestMatch(monitor, allowed), monitor, hint));
    }
  }

  private report(code: 'loss-output-mismatch' | 'data-shape-mismatch' | 'output-not-flat', range: TextRange, message: string): void {
    this.diagnostics.push(createDiagnostic(code, range, message));
  }

  private source(range: TextRange): string {
    return this.text.slice(range.pos, range.end);
  }
}

/** The labels per output that a source names as written: a CSV file's columns with `label={…}`, an archive's arrays with `y={…}`. */
export function keyedLabels(source: DataSourceUse): KeyedColumns | undefined {
  const label = source.args.values[source.spec.name === 'npz' ? 'y' : 'label'];
  return label && typeof label === 'object' && !Array.isArray(label) && label.kind === 'keyed' ? label : undefined;
}

/** The columns per input that a data source names with `inputs=`, as written. */
export function keyedInputs(source: DataSourceUse): KeyedColumns | undefined {
  const inputs = source.args.values['inputs'];
  return inputs && typeof inputs === 'object' && !Array.isArray(inputs) && inputs.kind === 'keyed' ? inputs : undefined;
}

/** The arguments that give images() samples of the input's shape, where one can: size=[h, w] and color. */
function imageHint(input: readonly (number | null)[]): string {
  const [height, width, channels] = input.slice(1);
  if (input.length === 4 && (channels === 1 || channels === 3) && typeof height === 'number' && typeof width === 'number') {
    return `use size=[${height}, ${width}], color=${channels === 1 ? 'grayscale' : 'rgb'}`;
  }
  return 'give the model an input of the images\' shape';
}

/** The diagnostic for a data file whose header cannot be checked, on the path's range. */
export function dataFileDiagnostic(problem: DataFileProblem, range: TextRange, path: string): Diagnostic {
  switch (problem.problem) {
    case 'missing':
      return createDiagnostic('data-file-not-found', range, path);
    case 'empty':
      return createDiagnostic('data-file-empty', range, path);
    case 'not-regular':
      return createDiagnostic('data-file-not-regular', range, path, problem.detail ?? 'not a regular file');
    case 'unreadable':
      return createDiagnostic('data-file-unreadable', range, path, problem.detail ?? 'the read failed');
    case 'invalid':
      return createDiagnostic('data-file-invalid', range, path, problem.detail ?? 'it is not a file of its format');
  }
}

type Scalars = Pick<TrainBlock, 'epochs' | 'batchSize' | 'shuffle' | 'ensemble'> & Partial<Pick<TrainBlock, 'seed'>>;

/** A train block's int and bool fields as the catalog's settings default them. */
export function scalarDefaults(): Scalars {
  const scalars: Partial<Record<ScalarTarget, number | boolean>> = {};
  for (const spec of SETTINGS) if (spec.target && (typeof spec.value === 'number' || typeof spec.value === 'boolean')) scalars[spec.target] = spec.value;
  return scalars as Scalars;
}

/** The optimizer of a block that names none: the one the optimizer setting's spec names, with its default arguments. */
function defaultOptimizer(): { spec: Signature; args: ResolvedArgs } {
  const name = SETTINGS.find((spec) => spec.kind === 'optimizer')?.value;
  const spec = OPTIMIZERS.find((optimizer) => optimizer.name === name)!;
  return { spec, args: defaultsOf(spec) };
}

function assignScalar(block: TrainBlock, target: ScalarTarget, value: number | boolean): void {
  (block as unknown as Record<ScalarTarget, number | boolean>)[target] = value;
}

function defaultsOf(spec: Signature): ResolvedArgs {
  const values: ResolvedArgs['values'] = {};
  for (const param of spec.params) if (param.default !== undefined) values[param.name] = param.default;
  return { values, given: [], positional: 0, ranges: {} };
}

/** The activation the output ends in, looking through layers that do not change it. */
export function outputActivation(network: Network, output: NetworkLayer): string | undefined {
  let layer: NetworkLayer | undefined = output;
  for (;;) {
    const spec = layer && layerSpec(layer);
    if (!layer || !spec) return undefined;
    if (spec.name === 'Softmax') return 'softmax';
    if (spec.params.some((param) => param.name === 'activation') && spec.category !== 'recurrent') return layer.args?.values['activation'] as string | undefined;
    if (!spec.trainingOnly && spec.name !== 'Reshape' && spec.name !== 'Flatten') return undefined;
    const inbound: string | undefined = layer.inbound[0];
    layer = network.layers.find((candidate) => candidate.name === inbound);
  }
}

/** The earliest Dense (or Maxout) on the output's chain that was given a tensor of rank 3 or more: where Flatten() belongs. */
function firstDenseOnImage(network: Network, output: NetworkLayer): NetworkLayer | undefined {
  let found: NetworkLayer | undefined;
  let layer: NetworkLayer | undefined = output;
  while (layer && layerSpec(layer) && layer.inbound.length === 1) {
    const input = layer.inputShapes[0];
    if (!input || input.length <= 2) break;
    if (layer.type === 'Dense' || layer.type === 'Maxout') found = layer;
    const inbound: string = layer.inbound[0]!;
    layer = network.layers.find((candidate) => candidate.name === inbound);
  }
  return found;
}

/** The range of the output layer's units argument, where a quick fix can set the class count. */
function outputUnitsRange(output: NetworkLayer): TextRange | undefined {
  return output.type === 'Dense' || output.type === 'Maxout' ? output.args?.ranges['units'] : undefined;
}
