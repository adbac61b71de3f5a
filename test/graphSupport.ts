/**
 * What the model graph's tests share: the example files, and what
 * `layerwise check --json` says of each model's layers, in the graph's terms.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonReport } from '../cli/report';
import { formatShape } from '../core';
import { cliPath, netFiles, projectExamples, sharedExamples } from './support';

export function exampleFiles(): string[] {
  return [...netFiles(projectExamples), ...netFiles(join(projectExamples, 'errors')), ...(existsSync(sharedExamples) ? netFiles(sharedExamples) : [])];
}

/** `layerwise check --json FILE`, parsed. */
export function checkJson(file: string): JsonReport['files'][number] {
  const result = spawnSync(process.execPath, [cliPath, 'check', '--json', file], { encoding: 'utf8' });
  return (JSON.parse(result.stdout) as JsonReport).files[0]!;
}

/** What check --json says of a model's layers, in the graph's terms: name, type, shape as Keras prints it, params, 1-based line. */
export function checkedLayers(model: JsonReport['files'][number]['models'][number]): unknown[] {
  return model.layers.map((layer) => [layer.name, layer.type, layer.outputShape ? formatShape(layer.outputShape) : undefined, layer.params ?? undefined, layer.line]).sort(byName);
}

export const byName = (a: unknown, b: unknown): number => String((a as unknown[])[0]).localeCompare(String((b as unknown[])[0]));

