/**
 * Open documents and their analyses, cached by uri and version: every
 * request on the same version reuses one analysis. Data files are read
 * through one cache for all documents, never on the event loop: an analysis
 * made before a data file's answer arrived is dropped when it arrives, and
 * the owner is told so that it checks the document again.
 */
import { URI } from 'vscode-uri';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from '../core';
import { DataFiles } from '../host/fileDataHost';
import { boundedAnalysis } from './bounds';

interface Entry {
  version: number;
  analysis: Analysis;
  /** The data files the analysis asked about (absolute paths). */
  files: ReadonlySet<string>;
}

export class AnalysisCache {
  private readonly entries = new Map<string, Entry>();
  private readonly dataFiles = new DataFiles({ revalidate: true });

  /** `onStale` hears of a document whose analysis was dropped because a data file it names was read or changed. */
  constructor(onStale: (uri: string) => void = () => undefined) {
    this.dataFiles.onChange((file) => {
      for (const [uri, entry] of this.entries) {
        if (!entry.files.has(file)) continue;
        this.entries.delete(uri);
        onStale(uri);
      }
    });
  }

  /** The analysis of the document's current version, computed at most once per version (and again when its data files answer); a document over the size bound is not analysed. */
  get(document: TextDocument): Analysis {
    const cached = this.entries.get(document.uri);
    if (cached && cached.version === document.version) return cached.analysis;
    const path = filePathOf(document.uri);
    // Data files are looked up beside a file on disk; other documents (untitled, remote) are not checked against files.
    const host = path === undefined ? undefined : this.dataFiles.host(path);
    const analysis = boundedAnalysis(document.getText(), (text) => analyze(text, { host }));
    this.entries.set(document.uri, { version: document.version, analysis, files: host?.files ?? new Set() });
    return analysis;
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

/** Documents this server analyses: the `net` language, or a `.net` file when the client does not say. */
export function isNetDocument(document: TextDocument): boolean {
  return document.languageId === 'net' || (document.languageId === '' && document.uri.endsWith('.net'));
}
