/** The parts of the `mnist` package used here (it ships no types): one entry per digit, 0 to 9. */
declare module 'mnist' {
  interface Digit {
    /** How many samples of this digit there are. */
    length: number;
    /** Sample `index`: 784 pixels, row by row, in [0, 1]. */
    get(index: number): number[];
  }
  const digits: Digit[];
  export = digits;
}
