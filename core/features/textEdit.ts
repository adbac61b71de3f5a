/**
 * An edit of one document, by offsets: what formatting, rename and quick
 * fixes produce and the server turns into LSP text edits.
 */
import type { TextRange } from '../syntax/tree';

export interface TextEdit {
  range: TextRange;
  newText: string;
}
