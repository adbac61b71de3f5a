/**
 * Starts the language server on the transport the command line names
 * (`--stdio`, or `--node-ipc` as VS Code starts it; see transport.ts).
 *
 * A framing error on a byte stream ends the process with exit code 1 and a
 * line on stderr that says what was wrong: the client sees it exit and
 * restarts it, which rust-analyzer and gopls rely on too, where guessing at
 * the next frame could run requests the client never sent. A message that
 * is framed but not JSON, or JSON but not JSON-RPC, is logged and skipped.
 * When the input ends, the process exits: 0 after `shutdown`, 1 otherwise.
 */
import { Console } from 'node:console';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { FramingError } from './framing';
import { LifecycleReader } from './lifecycle';
import { startServer } from './server';
import { openTransport } from './transport';

const NAME = 'layerwise-language-server';

export function main(args: readonly string[] = process.argv.slice(2)): void {
  const transport = openTransport(args);
  if (typeof transport === 'string') {
    process.stderr.write(`${NAME}: ${transport}\n`);
    process.exitCode = 2;
    return;
  }
  // On stdio, stdout carries the protocol: anything a library prints goes to stderr instead.
  if (transport.name === 'stdio') redirectConsole();
  const log = (line: string) => process.stderr.write(`${NAME}: ${line}\n`);
  const reader = new LifecycleReader(transport.reader, transport.writer, log);
  reader.onError((error) => {
    if (!(error instanceof FramingError)) return log(error.message);
    log(`${error.message}; the input is out of step with its messages, so the server exits (a client restarts it)`);
    process.exit(1);
  });
  // Byte streams end when the client goes; Node's IPC channel is watched by vscode-languageserver (the client's process id).
  if (transport.name !== 'node-ipc') reader.onClose(() => process.exit(reader.shutdownRequested ? 0 : 1));
  startServer(createConnection(ProposedFeatures.all, reader, transport.writer));
}

function redirectConsole(): void {
  const stderr = new Console({ stdout: process.stderr, stderr: process.stderr });
  for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'table'] as const) {
    (console as unknown as Record<string, unknown>)[method] = stderr[method].bind(stderr);
  }
}
