/** Problems with the data itself, located where the user can fix them. */
export interface DataLocation {
  file?: string;
  /** 1-based line of the file. */
  line?: number;
  /** 1-based column: the index of the cell in its row. */
  column?: number;
}

export class DataError extends Error {
  override readonly name = 'DataError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, location: DataLocation = {}) {
    super(message);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }
}
