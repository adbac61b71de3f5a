/**
 * Every diagnostic the language reports, in one catalog. Codes are stable:
 * tests, quick fixes and users' suppressions rely on them; prose may change.
 */
import type { TextRange } from './syntax/tree';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Diagnostic extends TextRange {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** A replacement for the diagnostic's range that fixes it ("did you mean …"). */
  suggestion?: string;
}

interface Entry<A extends unknown[]> {
  severity: Severity;
  /** One sentence for the reference documentation. */
  description: string;
  message: (...args: A) => string;
}

function entry<A extends unknown[]>(severity: Severity, description: string, message: (...args: A) => string): Entry<A> {
  return { severity, description, message };
}

const didYouMean = (suggestion: string | undefined): string => (suggestion ? `; did you mean '${suggestion}'?` : '');

export const DIAGNOSTICS = {
  // Syntax
  'unexpected-token': entry('error', 'A token stands where the grammar allows something else.', (expected: string, found: string) => `expected ${expected}; found ${found}`),
  'unterminated-string': entry('error', 'A string has no closing quote on its line.', () => 'unterminated string: add the closing quote'),
  'invalid-character': entry('error', 'A character that is not part of the language.', (text: string) => `invalid character '${text}'`),
  'invalid-number': entry('error', 'A number that cannot be read, such as `3x` or `1e`.', (text: string) => `invalid number '${text}'`),
  'positional-after-keyword': entry('error', 'A positional argument follows a keyword argument.', () => 'positional argument after a keyword argument'),

  'internal-error': entry('error', 'A fault of the checker itself, not of the file; please report it with the file.', (message: string) => `internal error in the checker: ${message}`),

  // Names
  'undefined-name': entry('error', 'A tensor name that no statement of the model defines.', (name: string, suggestion?: string) => `'${name}' is not defined${didYouMean(suggestion)}`),
  'duplicate-name': entry('error', 'A tensor name bound twice in one model.', (name: string) => `'${name}' is already defined in this model`),
  'unused-tensor': entry('warning', 'A named tensor that nothing uses: its layers are not part of the model.', (name: string) => `'${name}' is never used; its layers are not part of the model`),
  'unused-input': entry('warning', 'An input that no output depends on.', (name: string) => `input '${name}' is never used`),
  'unconnected-layer': entry('warning', 'A statement whose result reaches no output: its layers are not part of the model.', () => 'this result is never used; its layers are not part of the model'),
  'cycle': entry('error', 'Tensors that depend on themselves.', (path: string) => `tensors that depend on themselves: ${path}`),
  'no-current-tensor': entry('error', 'A pipeline starts with a layer, but there is no single previous result or input for it to take.', (reason: string) => reason),
  'duplicate-model': entry('error', 'Two models with the same name.', (name: string) => `model '${name}' is already defined`),
  'unknown-model': entry('error', 'A train block names a model that the file does not define.', (name: string, suggestion?: string) => `unknown model '${name}'${didYouMean(suggestion)}`),
  'duplicate-layer-name': entry('error', 'Two layers of one model with the same `name=`.', (name: string) => `a layer named '${name}' already exists in this model`),
  'duplicate-output': entry('error', 'A model with more than one `output` statement.', () => 'a model has one output statement; list several outputs in it: output a, b'),
  'missing-input': entry('error', 'A model without an input statement.', (name: string) => `model '${name}' has no input: add one, e.g. input x: [784]`),
  'empty-model': entry('warning', 'A model with inputs but no layers.', (name: string) => `model '${name}' has no layers`),

  // Layers and arguments
  'unknown-layer': entry('error', 'A layer name that the catalog does not know.', (name: string, suggestion?: string) => `unknown layer '${name}'${didYouMean(suggestion)}`),
  'input-as-argument': entry('error', 'A Keras habit: the input given as `input_shape=` or as an `Input` layer instead of an input statement.', (shape: string) => `inputs are declared with a statement before the layers: input ${shape}`),
  'unknown-argument': entry('error', 'A keyword argument the callee does not take.', (callee: string, name: string, suggestion?: string) => `${callee} has no argument '${name}'${didYouMean(suggestion)}`),
  'duplicate-argument': entry('error', 'An argument given twice.', (callee: string, name: string) => `${callee} argument '${name}' is given twice`),
  'too-many-arguments': entry('error', 'More positional arguments than the callee takes.', (callee: string, count: number) => `${callee} takes at most ${count} positional argument${count === 1 ? '' : 's'}`),
  'missing-argument': entry('error', 'A required argument is missing.', (callee: string, name: string) => `${callee} needs the argument '${name}'`),
  'argument-type': entry('error', 'An argument of the wrong type.', (callee: string, name: string, expected: string, found: string) => `${callee} ${name} must be ${expected}; got ${found}`),
  'argument-range': entry('error', 'A number outside the range its argument allows.', (callee: string, name: string, range: string, found: string) => `${callee} ${name} must be ${range}; got ${found}`),
  'unknown-activation': entry('error', 'An activation name that the catalog does not know.', (name: string, suggestion?: string) => `unknown activation '${name}'${didYouMean(suggestion)}`),
  'unknown-value': entry('error', 'A name outside the values an argument allows.', (callee: string, name: string, value: string, allowed: string, suggestion?: string) => `${callee} ${name} has no value '${value}'${suggestion ? `; did you mean '${suggestion}'?` : `; use one of ${allowed}`}`),
  'invalid-axis': entry('error', 'An axis the input does not have.', (message: string) => message),
  'argument-conflict': entry('error', 'Arguments that cannot be combined, such as strides and dilation_rate both above 1.', (message: string) => message),
  'unsupported-argument': entry('error', 'An argument value that TensorFlow.js cannot train.', (message: string) => message),
  'invalid-expression': entry('error', 'Arithmetic that cannot be computed, such as division by zero.', (message: string) => message),

  // Shapes
  'invalid-shape': entry('error', 'An input shape with a dimension that is not a positive whole number.', (message: string) => message),
  'rank-mismatch': entry('error', 'A layer given an input of a rank it cannot take.', (message: string) => message),
  'shape-mismatch': entry('error', 'Shapes that must agree and do not, such as the inputs of a merge.', (message: string) => message),
  'reshape-size': entry('error', '`Reshape` to a shape with a different number of values.', (message: string) => message),
  'kernel-too-large': entry('error', 'A kernel or pool window larger than its (padded) input.', (message: string) => message),
  'unknown-dimension': entry('error', 'A layer that needs a dimension the input leaves unknown (`none`).', (message: string) => message),
  'merge-needs-tuple': entry('error', 'A merge layer given a single tensor instead of a tuple such as `(a, b)`.', (layer: string) => `${layer} merges tensors: give it a tuple such as (a, b) -> ${layer}()`),
  'merge-arity': entry('error', 'A merge layer given the wrong number of tensors.', (message: string) => message),
  'tuple-into-layer': entry('error', 'A tuple of tensors given to a layer that takes one tensor.', (layer: string) => `${layer} takes one tensor, not a tuple; merge them first, e.g. with Concatenate()`),

  // Training
  'unknown-setting': entry('error', 'A train setting the language does not know.', (name: string, suggestion?: string) => `unknown train setting '${name}'${didYouMean(suggestion)}`),
  'duplicate-setting': entry('error', 'A train setting given twice.', (name: string) => `'${name}' is already set in this train block`),
  'missing-setting': entry('error', 'A train block without a setting it needs.', (name: string, example: string) => `this train block needs '${name}', e.g. ${example}`),
  'unknown-loss': entry('error', 'A loss name that the catalog does not know.', (name: string, suggestion?: string) => `unknown loss '${name}'${didYouMean(suggestion)}`),
  'unknown-optimizer': entry('error', 'An optimizer name that the catalog does not know.', (name: string, suggestion?: string) => `unknown optimizer '${name}'${didYouMean(suggestion)}`),
  'unknown-metric': entry('error', 'A metric name that the catalog does not know.', (name: string, suggestion?: string) => `unknown metric '${name}'${didYouMean(suggestion)}`),
  'unknown-data-source': entry('error', 'A data source that the catalog does not know.', (name: string, suggestion?: string) => `unknown data source '${name}'${didYouMean(suggestion)}`),
  'unknown-schedule': entry('error', 'A learning-rate schedule that the catalog does not know.', (name: string, suggestion?: string) => `unknown schedule '${name}'${didYouMean(suggestion)}`),
  'unknown-callback': entry('error', 'A callback that the catalog does not know.', (name: string, suggestion?: string) => `unknown callback '${name}'${didYouMean(suggestion)}`),
  'unknown-monitor': entry('error', 'A callback monitors a quantity that training does not record.', (name: string, allowed: string) => `'${name}' is not recorded by this training; use one of ${allowed}`),
  'output-not-flat': entry('error', 'A classifier whose output keeps spatial or time axes, usually a Dense layer without Flatten() before it.', (message: string) => message),
  'loss-output-mismatch': entry('error', 'A loss that does not fit the model\'s output layer.', (message: string) => message),
  'units-class-mismatch': entry('error', 'An output whose size differs from the number of classes of the data.', (message: string) => message),
  'data-shape-mismatch': entry('error', 'Data whose features do not fit the model\'s input.', (message: string) => message),
  'data-file-not-found': entry('warning', 'A data file (CSV or NumPy) or image folder that does not exist (training will fail until it does).', (path: string) => `data file '${path}' not found`),
  'data-file-empty': entry('error', 'A CSV file without a header row: it is empty, or holds only blank lines.', (path: string) => `'${path}' is empty: a CSV file needs a header row, then the data rows`),
  'data-file-not-regular': entry('error', 'A data path that names a directory, a named pipe, a socket or a device rather than a file; the checker never opens it.', (path: string, what: string) => `'${path}' is ${what}, not a file`),
  'data-file-unreadable': entry('warning', 'A data file the checker could not read: permission denied, an I/O error, no answer in time, or a header row that is not valid CSV.', (path: string, reason: string) => `cannot read '${path}': ${reason}`),
  'data-label-not-found': entry('error', 'A CSV file without the label column named in `label=`.', (label: string, path: string, suggestion?: string) => `'${path}' has no column '${label}'${didYouMean(suggestion)}`),
  'unknown-output': entry('error', 'A key of a loss, loss_weights, metrics or label dict that is not an output layer of the model.', (key: string, model: string, suggestion?: string) => `model '${model}' has no output '${key}'${didYouMean(suggestion)}`),
  'output-loss-missing': entry('error', 'An output of the model that a loss written per output leaves out.', (output: string, model: string) => `the loss gives no loss for output '${output}' of model '${model}'`),
  'output-label-missing': entry('error', 'An output of the model that the data gives no label column for: with several outputs, `label={name: column, …}` names them.', (output: string, model: string, example: string) => `the data gives no labels for output '${output}' of model '${model}'; name them with ${example}`),
  'duplicate-key': entry('error', 'A dict that names a key twice.', (key: string) => `'${key}' is given twice`),
  'data-input-missing': entry('error', 'A model input that the data gives no columns for: with several inputs, `inputs={name: columns, …}` names them for each.', (input: string, model: string, example: string) => `model '${model}' has an input '${input}' that the data gives no columns for; add it to inputs=, e.g. ${example}`),
  'unknown-input': entry('error', 'A key of `inputs=` that is not an input of the model.', (key: string, model: string, suggestion?: string) => `model '${model}' has no input '${key}'${didYouMean(suggestion)}`),
  'data-column-not-found': entry('error', 'A column named in `inputs=` (or a `"first:last"` range\'s end) that the CSV file\'s header lacks.', (column: string, path: string, suggestion?: string) => `'${path}' has no column '${column}'${didYouMean(suggestion)}`),
  'data-column-reused': entry('error', 'A column given to two inputs, twice to one, or given to an input and as the label.', (column: string, use: string) => `column '${column}' is already ${use}`),
  'data-file-invalid': entry('error', 'A NumPy data file that is not one: not a .npy file or .npz archive, shorter than its shape says, or with a header that cannot be read.', (path: string, reason: string) => `${path} cannot be read: ${reason}`),
  'data-array-not-found': entry('error', 'An .npz archive without the array named in `x=` or `y=`.', (path: string, name: string, names: string, suggestion?: string) => `'${path}' has no array '${name}'${suggestion ? `; did you mean '${suggestion}'?` : `; it holds ${names || 'no arrays'}`}`),
  'data-dtype-unsupported': entry('error', 'A NumPy array of a dtype that cannot be trained on: complex numbers, strings, objects, dates or structured records.', (what: string, dtype: string) => `${what} holds ${dtype} values; only bool, integer and float arrays can be trained on`),
  'data-label-count': entry('error', 'NumPy labels whose count differs from the number of samples of the features.', (labels: string, count: number, features: string, samples: number) => `${labels} has ${count} label${count === 1 ? '' : 's'}, but ${features} has ${samples} sample${samples === 1 ? '' : 's'}`),
  'image-folder-not-directory': entry('error', 'An `images(...)` path that names a file or something else rather than a folder.', (path: string, what: string) => `'${path}' is ${what}: images() takes a folder holding one folder of images per class`),
  'image-folder-no-classes': entry('error', 'An image folder without class folders: images are read from one sub-folder per class.', (path: string) => `'${path}' has no class folders: put each class's images in a folder of its own, e.g. ${path}/cat/1.png`),
  'image-class-empty': entry('error', 'A class folder that holds no image (.png, .jpg, .jpeg): the class would have no samples.', (folder: string) => `class folder '${folder}' holds no images (.png, .jpg, .jpeg)`),
  'image-class-not-in-training': entry('error', 'A class folder of the validation data that the training folder lacks: the model has no output for it.', (name: string, path: string, training: string, suggestion?: string) => `class '${name}' of '${path}' is not a class of the training data '${training}'${didYouMean(suggestion)}`),

  // The editor
  'document-too-large': entry('error', 'A document over the language server\'s size bound, 1 MiB (docs/server.md): the editor leaves it unchecked; `layerwise check` checks it.', (size: string, limit: string) => `this file is ${size}, more than the ${limit} that the editor checks as you type; it is not checked here: run 'layerwise check' on it`),
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

type MessageArgs<C extends DiagnosticCode> = Parameters<(typeof DIAGNOSTICS)[C]['message']>;

/** Builds a diagnostic from the catalog. */
export function createDiagnostic<C extends DiagnosticCode>(code: C, range: TextRange, ...args: MessageArgs<C>): Diagnostic {
  const item = DIAGNOSTICS[code] as Entry<MessageArgs<C>>;
  return { code, severity: item.severity, message: item.message(...args), pos: range.pos, end: range.end };
}

/** Like createDiagnostic, with a replacement that fixes it. */
export function createSuggestedDiagnostic<C extends DiagnosticCode>(
  code: C,
  range: TextRange,
  suggestion: string | undefined,
  ...args: MessageArgs<C>
): Diagnostic {
  const diagnostic = createDiagnostic(code, range, ...args);
  if (suggestion !== undefined) diagnostic.suggestion = suggestion;
  return diagnostic;
}
