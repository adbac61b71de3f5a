/**
 * How the command line writes diagnostics and models: one line per
 * diagnostic for people and editors' problem matchers, and a JSON report
 * with 1-based positions for programs.
 */
import type { Analysis, Diagnostic, Network, Shape } from '../core';

export function formatDiagnosticLine(path: string, analysis: Analysis, diagnostic: Diagnostic): string {
  const start = analysis.lines.positionAt(diagnostic.pos);
  return `${path}:${start.line + 1}:${start.character + 1}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`;
}

export interface JsonLayer {
  name: string;
  type: string;
  outputShape: Shape | null;
  params: number | null;
  trainable: number | null;
  nonTrainable: number | null;
  line: number;
}

export interface JsonReport {
  files: {
    path: string;
    diagnostics: { line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }[];
    models: { name: string; params: { total: number; trainable: number; nonTrainable: number } | null; layers: JsonLayer[] }[];
  }[];
}

export function toJsonReport(analyses: { path: string; analysis: Analysis }[]): JsonReport {
  return {
    files: analyses.map(({ path, analysis }) => ({
      path,
      diagnostics: analysis.diagnostics.map((diagnostic) => {
        const start = analysis.lines.positionAt(diagnostic.pos);
        const end = analysis.lines.positionAt(diagnostic.end);
        return {
          line: start.line + 1,
          column: start.character + 1,
          endLine: end.line + 1,
          endColumn: end.character + 1,
          severity: diagnostic.severity,
          code: diagnostic.code,
          message: diagnostic.message,
        };
      }),
      models: analysis.models.map(({ network }) => modelJson(network, analysis)),
    })),
  };
}

function modelJson(network: Network, analysis: Analysis): JsonReport['files'][number]['models'][number] {
  return {
    name: network.name,
    params: network.params ? { total: network.params.total, trainable: network.params.trainable, nonTrainable: network.params.nonTrainable } : null,
    layers: network.layers
      .filter((layer) => layer.connected)
      .map((layer) => ({
        name: layer.name,
        type: layer.type,
        outputShape: layer.outputShape ?? null,
        params: layer.params ? layer.params.trainable + layer.params.nonTrainable : null,
        trainable: layer.params?.trainable ?? null,
        nonTrainable: layer.params?.nonTrainable ?? null,
        line: analysis.lines.positionAt(layer.range.pos).line + 1,
      })),
  };
}
