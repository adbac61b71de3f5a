/**
 * LSP's base protocol on a byte stream (stdio, a socket, a pipe): header
 * lines `Name: value\r\n`, an empty line, then `Content-Length` bytes of
 * JSON. It is read strictly, because what follows a bad frame decides
 * whether reading can go on:
 * - a body of the declared length that is not JSON is a MessageError: the
 *   next message starts right after it, so reading goes on;
 * - a header that is malformed or has no Content-Length, a Content-Length
 *   that is not a whole number or is over the bound, is a FramingError:
 *   where the next message starts is lost, and any guess could run a
 *   request the client never sent. The reader stops; the server reports
 *   it and exits, and the client restarts it.
 * Header bytes are checked as they arrive, so the rest of a body that was
 * longer than its Content-Length is a FramingError at once, not a reader
 * that waits for a header that never comes.
 */
import type { Readable } from 'node:stream';
import { AbstractMessageReader, Disposable, type DataCallback } from 'vscode-languageserver/node';
import { formatBytes } from './bounds';

/** 64 MiB: far above the document bound (server/bounds.ts), and it keeps a bad length from buffering without end. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** A header block longer than this is not a header. */
const MAX_HEADER_BYTES = 16 * 1024;

/** The stream no longer says where the next message starts. */
export class FramingError extends Error {}

/** One message was skipped; the stream is still in step. */
export class MessageError extends Error {}

// RFC 9110's token characters for a header's name; its value is any printable ASCII.
const NAME = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const HEADER_LINE = new RegExp(`^(${NAME}):[ \\t]*([\\x20-\\x7e\\t]*?)[ \\t]*$`);
/** What the start of a header line may look like before its CRLF has arrived. */
const HEADER_LINE_START = new RegExp(`^(?:${NAME}(?::[\\x20-\\x7e\\t]*)?)?\\r?$`);

export class FramedMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The length of the body being read, or undefined while reading a header. */
  private bodyLength: number | undefined;
  /** The previous body was not JSON: if the next header is bad, that body was probably cut short. */
  private previousNotJson = false;
  private stopped = false;
  private closed = false;
  private callback: DataCallback | undefined;

  constructor(
    private readonly readable: Readable,
    private readonly maxMessageBytes = MAX_MESSAGE_BYTES,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer) => this.onData(chunk);
    const onError = (error: Error) => this.fireError(error);
    const onClose = () => {
      if (this.closed) return;
      this.closed = true;
      this.fireClose();
    };
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('end', onClose);
    this.readable.on('close', onClose);
    return Disposable.create(() => {
      this.readable.off('data', onData);
      this.readable.off('error', onError);
      this.readable.off('end', onClose);
      this.readable.off('close', onClose);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      while (this.step());
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      this.stopped = true;
      this.chunks = [];
      this.buffered = 0;
      this.fireError(error);
    }
  }

  /** Reads one header or one body if it is all there; false when more bytes are needed. */
  private step(): boolean {
    if (this.bodyLength === undefined) {
      const bytes = this.take();
      const header = readHeader(bytes, this.maxMessageBytes, this.previousNotJson);
      if (header === undefined) return false;
      this.bodyLength = header.contentLength;
      this.keep(bytes.subarray(header.end));
      return true;
    }
    if (this.buffered < this.bodyLength) return false;
    const bytes = this.take();
    const body = bytes.subarray(0, this.bodyLength);
    this.keep(bytes.subarray(this.bodyLength));
    this.bodyLength = undefined;
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch (error) {
      this.previousNotJson = true;
      this.fireError(new MessageError(`skipped a message of ${body.length} bytes that is not JSON: ${(error as Error).message}`));
      return true;
    }
    this.previousNotJson = false;
    // Anything that parses goes on: the connection answers or logs what is not JSON-RPC.
    this.callback?.(message as Parameters<DataCallback>[0]);
    return true;
  }

  /** The buffered bytes as one buffer (copied only when they came in several chunks). */
  private take(): Buffer {
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [bytes];
    return bytes;
  }

  private keep(rest: Buffer): void {
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
  }
}

/**
 * The header at the start of `bytes`: its Content-Length and where its body
 * starts, or undefined while it is incomplete. Throws a FramingError as soon
 * as the bytes cannot be a header.
 */
export function readHeader(bytes: Buffer, maxMessageBytes: number, previousNotJson = false): { contentLength: number; end: number } | undefined {
  const fail = (what: string): never => {
    throw new FramingError(previousNotJson ? `${what}, after a message that was not JSON (was its Content-Length smaller than its body?)` : what);
  };
  let contentLength: string | undefined;
  let start = 0;
  for (;;) {
    const eol = bytes.indexOf('\r\n', start);
    if (eol < 0) {
      const partial = bytes.subarray(start, start + MAX_HEADER_BYTES + 1).toString('latin1');
      if (!HEADER_LINE_START.test(partial)) fail(`a header line is malformed: ${quote(partial)}`);
      if (bytes.length > MAX_HEADER_BYTES) fail(`a header is longer than ${MAX_HEADER_BYTES} bytes`);
      return undefined;
    }
    const line = bytes.subarray(start, eol).toString('latin1');
    start = eol + 2;
    if (line === '') break;
    const match = HEADER_LINE.exec(line);
    if (!match) fail(`a header line is malformed: ${quote(line)}`);
    if (match![1]!.toLowerCase() !== 'content-length') continue;
    if (contentLength !== undefined && contentLength !== match![2]) fail(`a header gives two Content-Lengths: ${quote(contentLength)} and ${quote(match![2]!)}`);
    contentLength = match![2]!;
  }
  if (contentLength === undefined) return fail('a message header has no Content-Length');
  if (!/^\d+$/.test(contentLength)) return fail(`Content-Length ${quote(contentLength)} is not a whole number of bytes`);
  const length = Number(contentLength);
  if (length > maxMessageBytes) return fail(`Content-Length ${contentLength} is over the limit of ${formatBytes(maxMessageBytes)}`);
  return { contentLength: length, end: start };
}

/** A piece of input as JSON would write it, cut to a readable length. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
