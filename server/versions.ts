/**
 * Document versions as LSP defines them: each change of an open document
 * carries a version above the one before. A change whose version is not
 * above the document's (a repeat, or one from the past) was made to some
 * other text than the server holds; applying it would corrupt the document,
 * so it is ignored and logged. Changes in order are applied incrementally by
 * `TextDocuments`, as before.
 */
import type { Connection, DidChangeTextDocumentParams, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

type TextDocumentConnection = Parameters<TextDocuments<TextDocument>['listen']>[0];

/** The connection as `documents.listen` sees it, with stale changes left out. */
export function withoutStaleChanges(connection: Connection, documents: TextDocuments<TextDocument>, log: (message: string) => void): TextDocumentConnection {
  return {
    onDidOpenTextDocument: (handler) => connection.onDidOpenTextDocument(handler),
    onDidChangeTextDocument: (handler) =>
      connection.onDidChangeTextDocument((params) => {
        const stale = staleChange(documents, params);
        if (stale) log(stale);
        else handler(params);
      }),
    onDidCloseTextDocument: (handler) => connection.onDidCloseTextDocument(handler),
    onWillSaveTextDocument: (handler) => connection.onWillSaveTextDocument(handler),
    onWillSaveTextDocumentWaitUntil: (handler) => connection.onWillSaveTextDocumentWaitUntil(handler),
    onDidSaveTextDocument: (handler) => connection.onDidSaveTextDocument(handler),
  };
}

/** Why a change is stale, or undefined when it is not (a change to a document that is not open is `TextDocuments`' to ignore). */
function staleChange(documents: TextDocuments<TextDocument>, params: DidChangeTextDocumentParams): string | undefined {
  const { uri, version } = params.textDocument;
  const current = documents.get(uri);
  if (!current || typeof version !== 'number' || version > current.version) return undefined;
  return `ignored a change to ${uri}: its version ${version} is not above the document's version ${current.version}`;
}
