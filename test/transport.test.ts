/**
 * What the language server does with input it cannot read, on each entry:
 * over stdio (the bundled server and `layerwise lsp --stdio`) and a socket a
 * framing error ends it with exit code 1 and a line on stderr saying what
 * was wrong, so that the client restarts it; a framed message that is not
 * JSON is skipped. Over Node's IPC (how VS Code starts it) each message is
 * framed by the channel: one that is not JSON-RPC is logged and the next is
 * answered; a line that is not JSON ends the process. Requests before
 * `initialize` are refused with −32002 on both.
 */
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FramedMessageReader, FramingError, MAX_MESSAGE_BYTES, MessageError } from '../server/framing';
import { LspClient, serverPath } from './lsp/client';
import { repoRoot } from './support';

const frame = (message: object): string => {
  const body = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

const hover = (id: number) => ({ jsonrpc: '2.0', id, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///x.net' }, position: { line: 0, character: 0 } } });
const initialize = (id: number) => ({ jsonrpc: '2.0', id, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });

/** Resolves with the promise's value, or rejects when it takes longer than `ms` (the server did not exit). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Each bad header, as sent after a good session start, and what the server must say about it. */
const BAD_HEADERS: { kind: string; bytes: string; says: RegExp }[] = [
  { kind: 'a missing Content-Length', bytes: `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${JSON.stringify(hover(2))}`, says: /no Content-Length/ },
  { kind: 'a Content-Length that is not a number', bytes: `Content-Length: ten\r\n\r\n${JSON.stringify(hover(2))}`, says: /Content-Length "ten" is not a whole number/ },
  { kind: 'a negative Content-Length', bytes: `Content-Length: -5\r\n\r\n${JSON.stringify(hover(2))}`, says: /Content-Length "-5" is not a whole number/ },
  { kind: 'a Content-Length smaller than its body', bytes: `Content-Length: 10\r\n\r\n${JSON.stringify(hover(2))}`, says: /header line is malformed.*after a message that was not JSON/ },
  { kind: 'a Content-Length over the bound', bytes: `Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n${JSON.stringify(hover(2))}`, says: new RegExp(`Content-Length ${MAX_MESSAGE_BYTES + 1} is over the limit of 64 MiB`) },
  { kind: 'a header line without a colon', bytes: `Content-Length 52\r\n\r\n${JSON.stringify(hover(2))}`, says: /header line is malformed: "Content-Length 52"/ },
];

/** Runs `body` with a client of a fresh server, which is killed afterwards if it is still running. */
async function withClient(body: (client: LspClient) => Promise<void>, args?: string[], script?: string): Promise<void> {
  const client = new LspClient(args, script);
  try {
    await body(client);
  } finally {
    if (client.alive) client.process.kill('SIGKILL');
    client.connection.dispose();
  }
}

describe('framing errors over stdio end the server with a reason', () => {
  for (const { kind, bytes, says } of BAD_HEADERS) {
    it(`exits 1 after ${kind}`, () =>
      withClient(async (client) => {
        await client.initialize();
        client.writeRaw(bytes);
        assert.equal(await within(client.exited, 10_000, `the server did not exit after ${kind}`), 1);
        assert.match(client.stderr.join(''), says);
        assert.match(client.stderr.join(''), /^layerwise-language-server: .*the server exits/m);
      }));
  }

  it('`layerwise lsp --stdio` does the same', () =>
    withClient(
      async (client) => {
        await client.initialize();
        client.writeRaw('Content-Length: 12abc\r\n\r\n{}');
        assert.equal(await within(client.exited, 10_000, 'the server did not exit'), 1);
        assert.match(client.stderr.join(''), /Content-Length "12abc" is not a whole number/);
      },
      ['lsp', '--stdio'],
      join(repoRoot, 'dist', 'cli.js'),
    ));

  it('skips a framed body that is not JSON, says so, and answers the next request', () =>
    withClient(async (client) => {
      await client.initialize();
      client.writeRaw('Content-Length: 9\r\n\r\n{not json');
      const symbols = await within(client.connection.sendRequest('workspace/symbol', { query: '' }), 10_000, 'no answer after the skipped message');
      assert.deepEqual(symbols, []);
      assert.match(client.stderr.join(''), /skipped a message of 9 bytes that is not JSON/);
      assert.equal(await client.stop(), 0);
    }));

  it('exits 1 when its input ends without shutdown, 0 after it', async () => {
    await withClient(async (client) => {
      await client.initialize();
      client.process.stdin.end();
      assert.equal(await within(client.exited, 10_000, 'the server did not exit'), 1);
    });
    await withClient(async (client) => {
      await client.initialize();
      assert.equal(await client.stop(), 0);
    });
  });
});

describe('framing errors over a socket end the server with a reason', () => {
  it('answers over --socket, then exits 1 after a bad header', async () => {
    const listener = createServer();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const port = (listener.address() as { port: number }).port;
    const server = spawn(process.execPath, [serverPath, `--socket=${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      const [socket] = (await within(once(listener, 'connection'), 10_000, 'the server did not connect')) as [Socket];
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.write(frame(initialize(1)));
      await within(
        new Promise<void>((resolve) => socket.on('data', () => received.includes('"id":1') && resolve())),
        10_000,
        'no answer to initialize',
      );
      socket.write('Content-Length: -1\r\n\r\n');
      assert.equal(await within(exited, 10_000, 'the server did not exit'), 1);
      assert.match(stderr, /Content-Length "-1" is not a whole number/);
      socket.destroy();
    } finally {
      server.kill();
      listener.close();
    }
  });
});

/** The bundled server forked as VS Code starts it, with what it sends and prints. */
function forkIpc() {
  const child = fork(serverPath, ['--node-ipc'], { silent: true });
  const received: { id?: number; method?: string; result?: unknown; error?: { code: number; message: string }; params?: { message?: string } }[] = [];
  const waiters: (() => void)[] = [];
  child.on('message', (message: (typeof received)[number]) => {
    received.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** The response to request `id`, when it comes. */
  const response = (id: number) =>
    within(
      new Promise<(typeof received)[number]>((resolve) => {
        const check = () => {
          const found = received.find((message) => message.id === id && message.method === undefined);
          if (found) resolve(found);
          else waiters.push(check);
        };
        check();
      }),
      10_000,
      `no response to request ${id}`,
    );
  return { child, received, response, exited, stderr: () => stderr };
}

describe('the IPC entry (--node-ipc)', () => {
  it('refuses requests before initialize with −32002, drops notifications, then serves', async () => {
    const server = forkIpc();
    try {
      server.child.send(hover(1));
      const refused = await server.response(1);
      assert.equal(refused.error?.code, -32002);
      server.child.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///early.net', languageId: 'net', version: 1, text: 'model M {\n  input [2]\n  Dense(1)\n}\n' } } });
      server.child.send(initialize(2));
      assert.ok((await server.response(2)).result);
      server.child.send({ jsonrpc: '2.0', id: 3, method: 'textDocument/documentSymbol', params: { textDocument: { uri: 'file:///early.net' } } });
      assert.match((await server.response(3)).error?.message ?? '', /not open/);
      assert.match(server.stderr(), /ignored the notification 'textDocument\/didOpen': it came before 'initialize'/);
    } finally {
      server.child.kill();
    }
  });

  it('logs messages that are not JSON-RPC and answers the next request', async () => {
    const server = forkIpc();
    try {
      server.child.send(initialize(1));
      await server.response(1);
      const garbage: unknown[] = ['hello', 42, null, [1, 2], { jsonrpc: '2.0' }, { jsonrpc: '2.0', id: 7, method: 7 }, { jsonrpc: '2.0', id: {}, method: 'x' }, { jsonrpc: '2.0', method: 'textDocument/didOpen', params: null }];
      for (const value of garbage) server.child.send(value as object);
      server.child.send({ jsonrpc: '2.0', id: 2, method: 'workspace/symbol', params: { query: '' } });
      assert.deepEqual((await server.response(2)).result, []);
      const logged = server.received.filter((message) => message.method === 'window/logMessage').length;
      assert.equal(logged, garbage.length);
      assert.equal(server.child.exitCode, null);
    } finally {
      server.child.kill();
    }
  });

  it('exits non-zero, saying why, when the channel carries a line that is not JSON', async () => {
    // A pipe in place of the channel that fork would make: NODE_CHANNEL_FD names it, as fork does.
    const child = spawn(process.execPath, [serverPath, '--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'json' } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const channel = child.stdio[3] as Socket;
    try {
      let received = '';
      channel.on('data', (chunk: Buffer) => (received += chunk.toString()));
      channel.write(JSON.stringify(initialize(1)) + '\n');
      await within(new Promise<void>((resolve) => channel.on('data', () => received.includes('"id":1') && resolve())), 10_000, 'no answer to initialize');
      channel.write('{not json\n');
      const code = await within(exited, 10_000, 'the server did not exit');
      assert.notEqual(code, 0);
      assert.match(stderr, /SyntaxError.*JSON/);
    } finally {
      child.kill();
    }
  });
});

describe('FramedMessageReader', () => {
  /** A reader on a stream, with what it delivers and the errors it reports. */
  function read() {
    const stream = new PassThrough();
    const reader = new FramedMessageReader(stream);
    const messages: unknown[] = [];
    const errors: Error[] = [];
    reader.onError((error) => errors.push(error));
    reader.listen((message) => messages.push(message));
    return { stream, messages, errors };
  }

  it('reads messages however the bytes are split', () => {
    const { stream, messages, errors } = read();
    const bytes = Buffer.from(frame({ jsonrpc: '2.0', method: 'a', params: { text: 'é ∑ 🙂' } }) + frame({ jsonrpc: '2.0', method: 'b' }));
    for (const byte of bytes) stream.write(Buffer.from([byte]));
    assert.deepEqual(errors, []);
    assert.deepEqual(messages, [{ jsonrpc: '2.0', method: 'a', params: { text: 'é ∑ 🙂' } }, { jsonrpc: '2.0', method: 'b' }]);
  });

  it('skips a body that is not JSON and reads on', () => {
    const { stream, messages, errors } = read();
    stream.write('Content-Length: 9\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{not json' + frame({ jsonrpc: '2.0', method: 'b' }));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof MessageError);
    assert.deepEqual(messages, [{ jsonrpc: '2.0', method: 'b' }]);
  });

  it('reports the rest of a cut-short body at once, without waiting for more input', () => {
    const { stream, messages, errors } = read();
    stream.write(`Content-Length: 4\r\n\r\n${JSON.stringify({ jsonrpc: '2.0', method: 'b' })}`);
    assert.deepEqual(messages, []);
    assert.ok(errors.at(-1) instanceof FramingError, String(errors.at(-1)));
    stream.write(frame({ jsonrpc: '2.0', method: 'c' }));
    assert.deepEqual(messages, [], 'nothing is read after a framing error');
  });

  it('refuses a header without end, and two Content-Lengths that disagree', () => {
    const endless = read();
    endless.stream.write('X-Padding: ' + 'a'.repeat(20_000));
    assert.ok(endless.errors[0] instanceof FramingError);
    assert.match(endless.errors[0]!.message, /longer than/);
    const twice = read();
    twice.stream.write('Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} ');
    assert.ok(twice.errors[0] instanceof FramingError);
    assert.deepEqual(twice.messages, []);
  });
});
