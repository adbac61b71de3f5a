/**
 * Open documents and their analyses, cached by uri and version: every
 * request on the same version reuses one analysis.
 */
import { URI } from 'vscode-uri';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from '../core';
import { createFileDataHost } from '../host/fileDataHost';
import { boundedAnalysis } from './bounds';

interface Entry {
  version: number;
  analysis: Analysis;
}

export class AnalysisCache {
  private readonly entries = new Map<string, Entry>();

  /** The analysis of the document's current version, computed at most once per version; a document over the size bound is not analysed. */
  get(document: TextDocument): Analysis {
    const cached = this.entries.get(document.uri);
    if (cached && cached.version === document.version) return cached.analysis;
    const analysis = boundedAnalysis(document.getText(), (text) => analyze(text, { host: hostFor(document.uri) }));
    this.entries.set(document.uri, { version: document.version, analysis });
    return analysis;
  }

  /** The cached analysis, whatever its version; for workspace-wide requests. */
  peek(uri: string): Analysis | undefined {
    return this.entries.get(uri)?.analysis;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
  }
}

/** The file on disk behind a document, or undefined for untitled and remote ones. */
export function filePathOf(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : undefined;
}

/** Data files are looked up beside a file on disk; other documents (untitled, remote) are not checked against files. */
function hostFor(uri: string) {
  const path = filePathOf(uri);
  return path === undefined ? undefined : createFileDataHost(path);
}

/** Documents this server analyses: the `net` language, or a `.net` file when the client does not say. */
export function isNetDocument(document: TextDocument): boolean {
  return document.languageId === 'net' || (document.languageId === '' && document.uri.endsWith('.net'));
}
