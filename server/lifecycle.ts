/**
 * LSP's lifecycle, kept where the messages arrive, before the connection
 * dispatches them: vscode-languageserver serves every request at any time.
 * Until `initialize` has come, a request is answered with
 * ServerNotInitialized (−32002) and a notification is dropped, except
 * `exit`, as LSP says. The reader also notes whether `shutdown` came, for
 * the exit code when the input ends without `exit`.
 */
import { Disposable, ErrorCodes, Message, type DataCallback, type MessageReader, type MessageWriter, type ResponseMessage } from 'vscode-languageserver/node';

export class LifecycleReader implements MessageReader {
  private initialized = false;
  private shutdown = false;

  constructor(
    private readonly reader: MessageReader,
    private readonly writer: MessageWriter,
    private readonly log: (line: string) => void,
  ) {}

  get onError() {
    return this.reader.onError;
  }

  get onClose() {
    return this.reader.onClose;
  }

  get onPartialMessage() {
    return this.reader.onPartialMessage;
  }

  /** Whether the client asked the server to shut down. */
  get shutdownRequested(): boolean {
    return this.shutdown;
  }

  listen(callback: DataCallback): Disposable {
    return this.reader.listen((message) => {
      if (Message.isRequest(message) && message.method === 'shutdown') this.shutdown = true;
      if (this.initialized || this.admit(message)) callback(message);
    });
  }

  dispose(): void {
    this.reader.dispose();
  }

  /** Whether a message that came before `initialize` goes on to the connection. */
  private admit(message: Message): boolean {
    if (Message.isRequest(message)) {
      if (message.method === 'initialize') {
        this.initialized = true;
        return true;
      }
      const response: ResponseMessage = {
        jsonrpc: '2.0',
        id: message.id,
        error: { code: ErrorCodes.ServerNotInitialized, message: `the server is not initialized: '${message.method}' came before 'initialize'` },
      };
      void this.writer.write(response).catch(() => undefined);
      return false;
    }
    if (Message.isNotification(message) && message.method !== 'exit') {
      this.log(`ignored the notification '${message.method}': it came before 'initialize'`);
      return false;
    }
    // `exit`, responses and what is not JSON-RPC: the connection handles or logs them.
    return true;
  }
}
