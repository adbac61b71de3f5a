/**
 * A real LSP client over stdio for the tests and the benchmark: it starts
 * the bundled server as its own process and speaks JSON-RPC to it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { repoRoot } from '../support';

export const serverPath = join(repoRoot, 'dist', 'server.js');

export class LspClient {
  readonly process: ChildProcessWithoutNullStreams;
  readonly connection: ProtocolConnection;
  readonly stderr: string[] = [];
  private readonly versions = new Map<string, number>();
  private readonly waiters: { uri: string; version?: number; resolve: (params: PublishDiagnosticsParams) => void }[] = [];
  readonly published = new Map<string, PublishDiagnosticsParams>();
  /** The exit code once the server process has ended. */
  readonly exited: Promise<number | null>;

  /** Starts `script` (the bundled server unless given) with `args`. */
  constructor(args: string[] = ['--stdio'], script = serverPath) {
    this.process = spawn(process.execPath, [script, ...args], { stdio: 'pipe' });
    this.process.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout), new StreamMessageWriter(this.process.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.set(params.uri, params);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && (waiter.version === undefined || waiter.version === params.version)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
    this.connection.listen();
  }

  async initialize(initializationOptions?: unknown, workspace?: { codeLens?: { refreshSupport?: boolean } }): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } }, workspace },
      initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  /** Diagnostics for the given version (or the next ones), as they are published. */
  diagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        uri,
        version,
        resolve: (params) => {
          clearTimeout(timer);
          resolve(params);
        },
      });
    });
  }

  async open(uri: string, text: string, languageId = 'net'): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends edits; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Writes bytes straight to the server's input, bypassing JSON-RPC framing. */
  writeRaw(bytes: string | Buffer): void {
    this.process.stdin.write(bytes);
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Shuts the server down politely; kills it if it does not exit. */
  async stop(): Promise<number | null> {
    if (this.alive) {
      try {
        await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((resolve) => setTimeout(resolve, 2000))]);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // The connection may already be gone; the kill below ends it.
      }
    }
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 3000);
    const code = await this.exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }
}
