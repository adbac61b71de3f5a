/**
 * What an analysis of one file holds: the types that `analyze` in the
 * facade returns and that every feature reads. They live here, below the
 * features, so that no module of the core imports the facade.
 */
import type { BoundModel, GraphNode } from './binder';
import type { Diagnostic } from './diagnostics';
import type { Network, NetworkLayer } from './shapes';
import type { LineMap } from './syntax/lines';
import type { SourceFile } from './syntax/tree';
import type { DataHost, TrainBlock } from './train';

export interface AnalyzeOptions {
  /** Answers questions about data files; without it, files are not checked. */
  host?: DataHost;
}

/** A model: its syntax and names (`bound`), the plain `Network`, and the link between them. */
export interface ModelAnalysis {
  bound: BoundModel;
  network: Network;
  /** The network layer (or input) each graph node made. */
  layerOf: ReadonlyMap<GraphNode, NetworkLayer>;
}

export interface Analysis {
  text: string;
  file: SourceFile;
  lines: LineMap;
  /** Every diagnostic, sorted by position. */
  diagnostics: Diagnostic[];
  models: ModelAnalysis[];
  trainBlocks: TrainBlock[];
}
