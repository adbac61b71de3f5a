/**
 * Starts the language server on the transport the command line names
 * (`--stdio`, or `--node-ipc` as VS Code starts it), as
 * vscode-languageserver reads it.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

export function main(): void {
  startServer(createConnection(ProposedFeatures.all));
}
