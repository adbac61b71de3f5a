/**
 * Offsets to zero-based lines and UTF-16 columns, as LSP counts them.
 */

export interface LineAndCharacter {
  line: number;
  character: number;
}

export interface LineMap {
  positionAt(offset: number): LineAndCharacter;
  offsetAt(position: LineAndCharacter): number;
  lineCount: number;
}

export function createLineMap(text: string): LineMap {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13) starts.push(i + 1);
  }
  return {
    lineCount: starts.length,
    positionAt(offset) {
      const clamped = Math.max(0, Math.min(offset, text.length));
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (starts[mid]! <= clamped) low = mid;
        else high = mid - 1;
      }
      return { line: low, character: clamped - starts[low]! };
    },
    offsetAt({ line, character }) {
      if (line < 0) return 0;
      if (line >= starts.length) return text.length;
      const lineEnd = line + 1 < starts.length ? starts[line + 1]! : text.length;
      return Math.max(starts[line]!, Math.min(starts[line]! + Math.max(0, character), lineEnd));
    },
  };
}
