/**
 * The scanner turns text into tokens. It never throws: characters it does not
 * know become `Unknown` tokens and the parser reports them.
 */

export const enum TokenKind {
  EndOfFile,
  Identifier,
  Number,
  String,
  UnterminatedString,
  OpenParen,
  CloseParen,
  OpenBracket,
  CloseBracket,
  OpenBrace,
  CloseBrace,
  Comma,
  Colon,
  Equals,
  Arrow,
  Plus,
  Minus,
  Star,
  Slash,
  Unknown,
}

export interface Token {
  kind: TokenKind;
  /** Offset of the first character. */
  pos: number;
  /** Offset just past the last character. */
  end: number;
  /** The token's source text. */
  text: string;
  /** True when a line break (or the start of the file) stands between this token and the previous one. */
  lineStart: boolean;
}

export interface Comment {
  pos: number;
  end: number;
  text: string;
}

export interface ScanResult {
  tokens: Token[];
  comments: Comment[];
}

const PUNCTUATION: Record<string, TokenKind> = {
  '(': TokenKind.OpenParen,
  ')': TokenKind.CloseParen,
  '[': TokenKind.OpenBracket,
  ']': TokenKind.CloseBracket,
  '{': TokenKind.OpenBrace,
  '}': TokenKind.CloseBrace,
  ',': TokenKind.Comma,
  ':': TokenKind.Colon,
  '=': TokenKind.Equals,
  '+': TokenKind.Plus,
  '*': TokenKind.Star,
  '/': TokenKind.Slash,
};

function isIdentifierStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c);
}

/** Scans the whole text at once; files are small and the parser wants lookahead. */
export function scanText(text: string): ScanResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const length = text.length;
  let pos = 0;
  let lineStart = true;

  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, pos: start, end, text: text.slice(start, end), lineStart });
    lineStart = false;
  };

  while (pos < length) {
    const c = text.charCodeAt(pos);
    if (c === 10 || c === 13) {
      lineStart = true;
      pos++;
      continue;
    }
    if (c === 32 || c === 9 || c === 12 || c === 11 || c === 0xfeff || c === 0xa0) {
      pos++;
      continue;
    }
    if (c === 35 /* # */) {
      const start = pos;
      while (pos < length && text.charCodeAt(pos) !== 10 && text.charCodeAt(pos) !== 13) pos++;
      comments.push({ pos: start, end: pos, text: text.slice(start, pos) });
      continue;
    }
    const start = pos;
    if (isIdentifierStart(c)) {
      pos++;
      while (pos < length && isIdentifierPart(text.charCodeAt(pos))) pos++;
      push(TokenKind.Identifier, start, pos);
      continue;
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(text.charCodeAt(pos + 1)))) {
      pos = scanNumber(text, pos);
      push(TokenKind.Number, start, pos);
      continue;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      pos++;
      let closed = false;
      while (pos < length) {
        const d = text.charCodeAt(pos);
        if (d === 10 || d === 13) break;
        pos++;
        if (d === 92 /* \ */ && pos < length) {
          pos++;
          continue;
        }
        if (d === c) {
          closed = true;
          break;
        }
      }
      push(closed ? TokenKind.String : TokenKind.UnterminatedString, start, pos);
      continue;
    }
    if (c === 45 /* - */) {
      if (text.charCodeAt(pos + 1) === 62 /* > */) {
        pos += 2;
        push(TokenKind.Arrow, start, pos);
      } else {
        pos++;
        push(TokenKind.Minus, start, pos);
      }
      continue;
    }
    // Accept the arrow that word processors and some fonts produce.
    if (c === 0x2192 /* → */) {
      pos++;
      push(TokenKind.Arrow, start, pos);
      continue;
    }
    const kind = PUNCTUATION[text[pos]!];
    if (kind !== undefined) {
      pos++;
      push(kind, start, pos);
      continue;
    }
    // One unknown token per run of unknown characters keeps the error count low.
    pos++;
    while (pos < length && isJunk(text.charCodeAt(pos))) pos++;
    push(TokenKind.Unknown, start, pos);
  }
  tokens.push({ kind: TokenKind.EndOfFile, pos: length, end: length, text: '', lineStart: true });
  return { tokens, comments };
}

function isJunk(c: number): boolean {
  if (c <= 32 || c === 35 || c === 34 || c === 39 || c === 45) return false;
  if (isIdentifierPart(c) || c === 46) return false;
  return PUNCTUATION[String.fromCharCode(c)] === undefined && c !== 0x2192;
}

function scanNumber(text: string, pos: number): number {
  const length = text.length;
  while (pos < length && isDigit(text.charCodeAt(pos))) pos++;
  if (text.charCodeAt(pos) === 46 /* . */) {
    pos++;
    while (pos < length && isDigit(text.charCodeAt(pos))) pos++;
  }
  const e = text.charCodeAt(pos);
  if (e === 101 || e === 69) {
    let p = pos + 1;
    const sign = text.charCodeAt(p);
    if (sign === 43 || sign === 45) p++;
    if (isDigit(text.charCodeAt(p))) {
      pos = p;
      while (pos < length && isDigit(text.charCodeAt(pos))) pos++;
    }
  }
  // A number glued to letters (`3x`) scans as one bad number so the error is one.
  while (pos < length && isIdentifierPart(text.charCodeAt(pos))) pos++;
  return pos;
}
