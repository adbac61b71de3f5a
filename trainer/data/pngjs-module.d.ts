/** The parts of `pngjs` used here (it ships no types): its synchronous decoder and encoder. */
declare module 'pngjs' {
  interface PngImage {
    width: number;
    height: number;
    /** Always 8-bit RGBA after decoding (palette, grey and 16-bit images converted). */
    data: Buffer;
  }
  interface WriteOptions {
    /** 0 grey, 2 RGB, 4 grey and alpha, 6 RGBA. */
    colorType?: 0 | 2 | 4 | 6;
    inputColorType?: 0 | 2 | 4 | 6;
    inputHasAlpha?: boolean;
    bitDepth?: 8 | 16;
  }
  export const PNG: {
    sync: {
      read(buffer: Buffer): PngImage;
      write(png: { width: number; height: number; data: Buffer | Uint8Array | Uint16Array }, options?: WriteOptions): Buffer;
    };
  };
}
