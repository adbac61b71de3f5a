/**
 * What every data source loads into: features as one flat Float32Array (so
 * a large file costs four bytes a value, not a JavaScript object a row) and
 * the labels as written, to be encoded as classes afterwards.
 */
export type Label = string | number;

export interface RawData {
  /** Row-major features: count × the product of featureShape. */
  features: Float32Array;
  /** One label a row, as the data gives it; numbers stay numbers. */
  labels: ArrayLike<Label>;
  count: number;
  /** One sample's shape, without the batch dimension: the model's input shape. */
  featureShape: number[];
  /** How messages name the data: the CSV path as written, or the call such as spiral(). */
  name: string;
  /** Where each row came from, for data read from a file, so messages can point at the line. */
  rows?: RowOrigin;
  /** A CSV file's header row, label included: the features are the other columns, in its order. */
  header?: string[];
  /** The label columns of a model's other outputs, one label a row each, as `labels`. */
  extraLabels?: { column: string; labels: ArrayLike<Label> }[];
}

export interface RowOrigin {
  file: string;
  /** The 1-based line each row starts on. */
  lines: Int32Array;
  /** The 1-based column of the label. */
  labelColumn: number;
}

/** Some rows of a data set with their class indices, as a split hands them out. */
export interface Subset {
  data: RawData;
  indices: Int32Array;
}
