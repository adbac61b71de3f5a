/**
 * Writes the reference tables of docs/language.md from the catalogs, between
 * the `<!-- reference:start -->` and `<!-- reference:end -->` markers, so the
 * documentation always says what the checker does. `npm run docs` rewrites
 * it; a test fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACTIVATIONS,
  CALLBACKS,
  DATA_SOURCES,
  DIAGNOSTICS,
  LAYERS,
  LOSSES,
  METRICS,
  OPTIMIZERS,
  SCHEDULES,
  SETTINGS,
  formatDefault,
  formatParamType,
  type ArgType,
  type ParamSpec,
  type Signature,
} from '../core';

const START = '<!-- reference:start -->';
const END = '<!-- reference:end -->';

/** A type for a Markdown table cell: the words hovers use, with `|` escaped. */
function typeText(type: ArgType): string {
  return formatParamType(type).replace(/\|/g, '\\|');
}

function defaultText(param: ParamSpec): string {
  const value = formatDefault(param);
  return value === undefined ? '*required*' : `\`${value}\``;
}

function paramsTable(signature: Signature): string[] {
  if (signature.params.length === 0) return ['No arguments.', ''];
  const rows = ['| argument | type | default | meaning |', '|---|---|---|---|'];
  signature.params.forEach((param, index) => {
    const positional = index < signature.positional ? ` (${index + 1})` : '';
    rows.push(`| \`${param.name}\`${positional} | ${typeText(param.type)} | ${defaultText(param)} | ${param.doc.replace(/\|/g, '\\|')} |`);
  });
  return [...rows, ''];
}

export function renderReference(): string {
  const out: string[] = [];
  out.push('## Layers', '');
  out.push('Numbers in parentheses mark the arguments that may be given by position, in that order. Every layer also takes `name` (a string) and `trainable` (bool, default `true`; when false, all its parameters count as non-trainable).', '');
  for (const category of [...new Set(LAYERS.map((layer) => layer.category))]) {
    out.push(`### ${category[0]!.toUpperCase()}${category.slice(1)} layers`, '');
    for (const layer of LAYERS.filter((l) => l.category === category)) {
      out.push(`#### ${layer.name}`, '', layer.doc, '');
      if (layer.merge) out.push(`Takes a tuple of ${layer.merge.max === layer.merge.min ? `exactly ${layer.merge.min}` : `${layer.merge.min} or more`} tensors: \`(a, b) -> ${layer.name}()\`.`, '');
      if (layer.trainingOnly) out.push('Acts only while training.', '');
      out.push(`- **Shape:** ${layer.shapeRule}`, `- **Parameters:** ${layer.paramRule}`);
      if (layer.tfjsNote) out.push(`- **TensorFlow.js:** ${layer.tfjsNote}`);
      out.push('');
      out.push(...paramsTable({ ...layer, params: layer.params.filter((p) => p.name !== 'name' && p.name !== 'trainable') }));
    }
  }
  out.push('## Activations', '', '| name | meaning |', '|---|---|');
  for (const activation of ACTIVATIONS) out.push(`| \`${activation.name}\` | ${activation.doc} |`);
  out.push('', '## Train settings', '', '| setting | default | meaning |', '|---|---|---|');
  for (const setting of SETTINGS) out.push(`| \`${setting.name}\` | ${setting.default === undefined ? '*required*' : `\`${setting.default}\``} | ${setting.doc} |`);
  out.push('', '### Losses', '', '| name | aliases | output it expects |', '|---|---|---|');
  for (const loss of LOSSES) out.push(`| \`${loss.name}\` | ${(loss.aliases ?? []).map((a) => `\`${a}\``).join(', ')} | ${loss.doc} |`);
  out.push('', '### Metrics', '', '| name | meaning |', '|---|---|');
  for (const metric of METRICS) out.push(`| \`${metric.name}\` | ${metric.doc} |`);
  for (const [title, signatures] of [
    ['Optimizers', OPTIMIZERS],
    ['Schedules', SCHEDULES],
    ['Callbacks', CALLBACKS],
    ['Data sources', DATA_SOURCES],
  ] as const) {
    out.push('', `### ${title}`, '');
    for (const signature of signatures) out.push(`#### ${signature.name}`, '', signature.doc, '', ...paramsTable(signature));
  }
  out.push('## Diagnostics', '', 'Codes are stable; messages may improve.', '', '| code | severity | when |', '|---|---|---|');
  for (const [code, entry] of Object.entries(DIAGNOSTICS)) out.push(`| \`${code}\` | ${entry.severity} | ${entry.description} |`);
  out.push('');
  return out.join('\n');
}

export function updateDocs(path: string): { before: string; after: string } {
  const before = readFileSync(path, 'utf8');
  const start = before.indexOf(START);
  const end = before.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} lacks the reference markers`);
  const after = `${before.slice(0, start + START.length)}\n\n${renderReference()}\n${before.slice(end)}`;
  return { before, after };
}

if (require.main === module) {
  const path = join(__dirname, '..', '..', 'docs', 'language.md');
  const { after } = updateDocs(path);
  writeFileSync(path, after);
}
