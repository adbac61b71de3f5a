/**
 * The shapes of catalog entries: what a callable (a layer, an optimizer, a
 * data source …) takes, and what a layer does to shapes and parameters.
 */
import type { TextRange } from '../syntax/tree';

/** A dimension: a size, or null where it is unknown (the batch, a `none` time axis). */
export type Dim = number | null;

/** A tensor shape with the batch dimension first, as Keras prints it: (None, 28, 28, 1). */
export type Shape = Dim[];

export type ArgType =
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'float'; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean }
  | { kind: 'bool' }
  | { kind: 'string' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'activation' }
  /** A positive whole number or a tuple of `rank` of them: kernel sizes, strides. */
  | { kind: 'ints'; rank: number; min: number }
  /** A list of whole numbers: target shapes (with -1), axes. */
  | { kind: 'intList'; allowMinusOne?: boolean; min?: number }
  /** A fraction, or a pair [lower, upper], as the augmentation layers take. */
  | { kind: 'factor'; min: number; max: number; ordered: boolean }
  /** A pair of numbers, such as a value range. */
  | { kind: 'pair' }
  /** A nested layer call, such as the layer Bidirectional wraps. */
  | { kind: 'layer'; accepts: readonly string[] }
  /** A name of a recorded quantity, such as val_loss. */
  | { kind: 'monitor' }
  /**
   * Data columns per model input or output: a dict whose values are a
   * column name, a list of them, or `"first:last"`; with `single`, a lone
   * column name (not a dict) is allowed too, for a model with one output.
   */
  | { kind: 'columns'; single?: boolean }
  | { kind: 'optional'; of: ArgType };

export interface ParamSpec {
  name: string;
  type: ArgType;
  /** Absent: the argument is required. */
  default?: ArgValue;
  doc: string;
  /** The argument's name in TensorFlow.js's layer config, where it is not the camelCase of `name`. */
  tfjsName?: string;
  /** Older or other spellings (Keras's `lr`), offered as "did you mean" fixes. */
  aliases?: readonly string[];
}

export interface Signature {
  name: string;
  params: readonly ParamSpec[];
  /** How many leading params may be given by position. */
  positional: number;
  doc: string;
}

/** A value after evaluation and checking against its ArgType. */
export type ArgValue = number | boolean | string | null | number[] | ResolvedCall | KeyedColumns;

/** A `columns` value written as a dict: each key (an input or output name) with its columns as written. */
export interface KeyedColumns {
  kind: 'keyed';
  entries: KeyedEntry[];
}

export interface KeyedEntry {
  key: string;
  /** Column names and `"first:last"` ranges, as written; expanded against the header by the checker and the trainer. */
  columns: string[];
  keyRange: TextRange;
  /** The value's range, and each written column's. */
  range: TextRange;
  columnRanges: TextRange[];
}

/** A layer given as another layer's argument (Bidirectional's `layer`), by its catalog name. */
export interface ResolvedCall {
  kind: 'call';
  name: string;
  args: ResolvedArgs;
  range: TextRange;
}

export interface ResolvedArgs {
  values: Record<string, ArgValue>;
  /** Names the user wrote (positionally or by keyword); the rest are defaults. */
  given: string[];
  /** How many of them were written by position: the signature's first ones. */
  positional: number;
  /** Source range of each given argument's value. */
  ranges: Record<string, TextRange>;
}

export interface ParamCount {
  trainable: number;
  nonTrainable: number;
  /** How the count comes about, e.g. `784 × 1024 + 1024`. */
  formula: string;
}

export type LayerCategory =
  | 'core'
  | 'activation'
  | 'convolution'
  | 'pooling'
  | 'normalization'
  | 'regularization'
  | 'reshaping'
  | 'recurrent'
  | 'merge'
  | 'augmentation';

export interface LayerSpec extends Signature {
  category: LayerCategory;
  /** TensorFlow.js's class name, where it differs from the Keras name. */
  tfjsClassName?: string;
  /** Merge layers take a tuple of tensors: at least `min`, at most `max`. */
  merge?: { min: number; max?: number };
  /** True for layers that act only while training (augmentation, noise, dropout). */
  trainingOnly?: boolean;
  /** Where Keras and TensorFlow.js count or behave differently; shown in hovers and docs. */
  tfjsNote?: string;
  /** The shape rule in words, for the reference documentation. */
  shapeRule: string;
  /** The parameter formula in words, for the reference documentation. */
  paramRule: string;
  /** Output shape for the given input shapes (one unless `merge`); throws ShapeError. */
  outputShape(inputs: Shape[], args: ResolvedArgs): Shape;
  /** Parameter count for the given input shapes; absent means none. */
  countParams?(inputs: Shape[], args: ResolvedArgs): ParamCount;
}

/** A shape rule's refusal, reported at the layer call (or the named argument). */
export type ShapeErrorCode = 'rank-mismatch' | 'shape-mismatch' | 'reshape-size' | 'kernel-too-large' | 'unknown-dimension' | 'unsupported-argument' | 'invalid-axis' | 'argument-conflict';

export class ShapeError extends Error {
  constructor(
    readonly code: ShapeErrorCode,
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}
