/**
 * The transports the server speaks, named on the command line as
 * vscode-languageserver names them: `--stdio`, `--node-ipc` (how VS Code
 * starts it), `--socket=PORT` and `--pipe=NAME`. The byte streams are read
 * by the strict reader of framing.ts; Node's IPC channel frames each message
 * itself and is read by vscode-languageserver's reader.
 */
import { createConnection as connectSocket } from 'node:net';
import { IPCMessageReader, IPCMessageWriter, SocketMessageWriter, StreamMessageWriter, type MessageReader, type MessageWriter } from 'vscode-languageserver/node';
import { FramedMessageReader } from './framing';

export type TransportName = 'stdio' | 'node-ipc' | 'socket' | 'pipe';

export interface Transport {
  name: TransportName;
  reader: MessageReader;
  writer: MessageWriter;
}

/** The first transport the arguments name, with its port or pipe name; undefined when there is none. */
export function parseTransport(args: readonly string[]): { name: TransportName; address?: string } | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--stdio') return { name: 'stdio' };
    if (arg === '--node-ipc') return { name: 'node-ipc' };
    for (const name of ['socket', 'pipe'] as const) {
      if (arg === `--${name}`) return { name, address: args[i + 1] };
      if (arg.startsWith(`--${name}=`)) return { name, address: arg.slice(name.length + 3) };
    }
  }
  return undefined;
}

/** Opens the transport the arguments name; a string saying what is missing when they name none. */
export function openTransport(args: readonly string[]): Transport | string {
  const parsed = parseTransport(args);
  switch (parsed?.name) {
    case 'stdio':
      return { name: 'stdio', reader: new FramedMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout) };
    case 'node-ipc':
      if (!process.send) return '--node-ipc needs a parent that started this process with an IPC channel';
      return { name: 'node-ipc', reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process) };
    case 'socket': {
      const port = Number(parsed.address);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) return `--socket needs a port number; got ${JSON.stringify(parsed.address ?? '')}`;
      const socket = connectSocket(port, '127.0.0.1');
      return { name: 'socket', reader: new FramedMessageReader(socket), writer: new SocketMessageWriter(socket) };
    }
    case 'pipe': {
      if (!parsed.address) return '--pipe needs a pipe name';
      const socket = connectSocket(parsed.address);
      return { name: 'pipe', reader: new FramedMessageReader(socket), writer: new SocketMessageWriter(socket) };
    }
    default:
      return 'name a transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME';
  }
}
