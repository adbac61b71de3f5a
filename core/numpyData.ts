/**
 * The checks of `npy(...)` and `npz(...)` against the arrays' headers, as
 * the host read them: each array present and readable, the features'
 * per-sample shape (for the input check), one label a sample, and the
 * labels' classes where the host could count them.
 */
import type { CallExpression, TextRange } from './syntax/tree';
import { createDiagnostic, createSuggestedDiagnostic, type Diagnostic } from './diagnostics';
import { closestMatch } from './suggest';
import type { KeyedColumns } from './catalog/types';
import { dataFileDiagnostic, keyedInputs, keyedLabels, type DataHost, type DataSourceUse, type NumpyArrayHeader, type NumpyArrays } from './train';
import type { InputSize } from './trainInputs';

/** An array the source names: where it is written, how messages name it, and its header once found. */
interface Named {
  header: NumpyArrayHeader;
  range: TextRange;
  /** The file's path (.npy) or the array's name with its file (.npz), for messages. */
  label: string;
  /** The file holding it and the array's name in it, for the host's class count. */
  path: string;
  array: string;
}

/** Checks a NumPy source against its files' headers; fills the use's sample shape and label classes. */
export function checkNumpy(use: DataSourceUse, call: CallExpression, diagnostics: Diagnostic[], host: DataHost | undefined): void {
  if (!host?.numpyArrays) return;
  const values = use.args.values;
  const path = values['path'] as string;
  const pathRange = use.args.ranges['path'] ?? call;
  let features: Named | undefined;
  let labels: Named | undefined;
  if (use.spec.name === 'npy') {
    const labelsPath = values['labels'] as string;
    features = single(host, path, pathRange, diagnostics);
    labels = single(host, labelsPath, use.args.ranges['labels'] ?? call, diagnostics);
  } else {
    const file = host.numpyArrays(path);
    if (file === undefined) return;
    if (!('arrays' in file)) {
      diagnostics.push(dataFileDiagnostic(file, pathRange, path));
      return;
    }
    const member = (name: string, range: TextRange): Named | undefined => {
      const header = file.arrays.find((array) => array.name === name);
      if (!header) {
        const names = file.arrays.map((array) => array.name);
        const suggestion = closestMatch(name, names);
        diagnostics.push(createSuggestedDiagnostic('data-array-not-found', range, suggestion, path, name, names.join(', '), suggestion));
        return undefined;
      }
      return usable({ header, range, label: `'${name}' of ${path}`, path, array: name }, diagnostics);
    };
    // y: one array, or one per output (y={out_a: "ya", …}); each counts the samples.
    const perOutput = keyedLabels(use);
    const ys = perOutput
      ? perOutput.entries.map((entry) => member(entry.columns[0]!, entry.columnRanges[0] ?? entry.range))
      : [member(values['y'] as string, use.args.ranges['y'] ?? pathRange)];
    const inputs = keyedInputs(use);
    const inputSamples = inputs ? checkInputArrays(use, inputs, file, path, diagnostics) : undefined;
    const x = inputs ? undefined : member(values['x'] as string, use.args.ranges['x'] ?? pathRange);
    const samples = inputs ? inputSamples : x?.header.shape?.[0];
    const against = inputs ? 'inputs=' : (x?.label ?? '');
    if (perOutput || inputs) {
      // Without inputs=, the first is checked against x below, with its shape.
      for (const y of inputs ? ys : ys.slice(1)) {
        const count = y?.header.shape?.[0];
        if (y && count !== undefined && samples !== undefined && count !== samples) diagnostics.push(createDiagnostic('data-label-count', y.range, y.label, count, against, samples));
      }
      if (!perOutput && ys[0]?.header.shape && ys[0].header.shape[0] === samples) {
        use.labelClasses = (ys[0].header.shape[1] ?? 1) > 1 ? ys[0].header.shape[1] : host.numpyClasses?.(ys[0].path, ys[0].array);
      }
      if (inputs) return;
    }
    features = x;
    labels = ys[0];
  }
  if (!features?.header.shape || !labels?.header.shape) return;
  const [samples, ...sample] = features.header.shape;
  if (samples === undefined) {
    diagnostics.push(createDiagnostic('data-shape-mismatch', features.range, `${features.label} holds a single value, not samples: its first axis must count the samples`));
    return;
  }
  use.sampleShape = sample.length > 0 ? sample : [1];
  const [count, width, ...more] = labels.header.shape;
  if (count === undefined || more.length > 0) {
    diagnostics.push(createDiagnostic('data-shape-mismatch', labels.range, `${labels.label} has shape (${labels.header.shape.join(', ')}): labels are one value a sample (shape (n,)) or one-hot rows (shape (n, classes))`));
    return;
  }
  if (count !== samples) {
    diagnostics.push(createDiagnostic('data-label-count', labels.range, labels.label, count, features.label, samples));
    return;
  }
  // One-hot rows: as many classes as columns; one value a sample: as many as the distinct values, if the host could count them.
  use.labelClasses = width !== undefined && width > 1 ? width : host.numpyClasses?.(labels.path, labels.array);
}

/**
 * `npz(..., inputs={features: "x1", extra: "x2"})`: each input's array is in
 * the archive, readable, one value or more a sample, and all count the same
 * samples, which it returns. Each input's values a sample are held against the input's
 * shape, as a CSV file's columns are.
 */
function checkInputArrays(use: DataSourceUse, inputs: KeyedColumns, file: NumpyArrays, path: string, diagnostics: Diagnostic[]): number | undefined {
  const names = file.arrays.map((array) => array.name);
  const resolved: InputSize[] = [];
  let samples: number | undefined;
  for (const entry of inputs.entries) {
    const [name] = entry.columns;
    const range = entry.columnRanges[0] ?? entry.range;
    const header = entry.columns.length === 1 ? file.arrays.find((array) => array.name === name) : undefined;
    if (entry.columns.length !== 1) {
      diagnostics.push(createDiagnostic('argument-type', entry.range, 'npz', `inputs[${entry.key}]`, 'the name of one array', JSON.stringify(entry.columns)));
    } else if (!header) {
      const suggestion = closestMatch(name!, names);
      diagnostics.push(createSuggestedDiagnostic('data-array-not-found', range, suggestion, path, name!, names.join(', '), suggestion));
    }
    const named = header && usable({ header, range, label: `'${name}' of ${path}`, path, array: name! }, diagnostics);
    const shape = named?.header.shape;
    if (!shape || shape.length === 0) {
      resolved.push({ name: entry.key, size: 0, unit: 'value', complete: false });
      continue;
    }
    if (samples !== undefined && shape[0] !== samples) {
      diagnostics.push(createDiagnostic('data-label-count', range, named.label, shape[0]!, `the first input's array`, samples));
    }
    samples ??= shape[0];
    const perSample = shape.slice(1).reduce((a, b) => a * b, 1);
    resolved.push({ name: entry.key, size: perSample, unit: 'value', complete: true });
  }
  use.inputSizes = resolved;
  return samples;
}

/** The one array of a .npy file, if it can be used. */
function single(host: DataHost, path: string, range: TextRange, diagnostics: Diagnostic[]): Named | undefined {
  const file = host.numpyArrays!(path);
  if (file === undefined) return undefined;
  if (!('arrays' in file)) {
    diagnostics.push(dataFileDiagnostic(file, range, path));
    return undefined;
  }
  const header = file.arrays[0];
  if (!header) return undefined;
  if (header.name !== '') {
    diagnostics.push(createDiagnostic('data-file-invalid', range, path, 'it is an .npz archive: read it with npz(...)'));
    return undefined;
  }
  return usable({ header, range, label: path, path, array: '' }, diagnostics);
}

/** The array, unless its header is broken or its dtype is one the trainer cannot read (reported). */
function usable(named: Named, diagnostics: Diagnostic[]): Named | undefined {
  const { header } = named;
  if (header.problem !== undefined) {
    diagnostics.push(createDiagnostic('data-file-invalid', named.range, named.label, header.problem));
    return undefined;
  }
  if (header.readable === false) {
    diagnostics.push(createDiagnostic('data-dtype-unsupported', named.range, named.label, header.dtype ?? 'unknown'));
    return undefined;
  }
  return named;
}
