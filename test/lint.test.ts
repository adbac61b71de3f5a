/**
 * The layer table of ARCHITECTURE.md holds: ESLint passes on the project,
 * every rule of eslint.config.mjs refuses the imports its row leaves out
 * (each case is refused by that rule, named by its message), and each row's
 * allowed imports pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { repoRoot } from './support';

const eslint = new ESLint({ cwd: repoRoot });

/** The messages of the no-restricted-imports problems that one import in the given file raises. */
async function restrictions(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${repoRoot}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** Each rule's message, by the rule's name, from the config itself. */
async function ruleMessages(): Promise<Record<string, string>> {
  const config = (await import(pathToFileURL(`${repoRoot}/eslint.config.mjs`).href)) as { LAYER_MESSAGES: Record<string, string> };
  return config.LAYER_MESSAGES;
}

/** For each rule, imports it refuses: [file, import]. */
const REFUSED: Record<string, Array<[string, string]>> = {
  core: [
    ['core/x.ts', "import 'node:fs';"], ['core/x.ts', "import 'fs';"], ['core/x.ts', "import * as tf from '@tensorflow/tfjs';"],
    ['core/x.ts', "import 'vscode';"], ['core/x.ts', "import 'vscode-languageserver/node';"], ['core/x.ts', "import 'csv-parse';"],
    ['core/x.ts', "import '../trainer/buildModel';"], ['core/x.ts', "import '../cli/main';"], ['core/x.ts', "import '../host/fileDataHost';"],
    ['core/index.ts', "import 'node:fs';"], ['core/syntax/x.ts', "import '../../server/server';"], ['core/syntax/x.ts', "import 'fs';"],
    ['core/features/x.ts', "import '../../protocol/editor';"], ['core/catalog/x.ts', "import 'node:path';"],
  ],
  protocol: [['protocol/x.ts', "import '../core';"], ['protocol/x.ts', "import 'node:path';"], ['protocol/x.ts', "import 'vscode';"], ['protocol/x.ts', "import '../trainer/process';"]],
  host: [
    ['host/x.ts', "import '../core/shapes';"], ['host/x.ts', "import '../core/syntax/tree';"], ['host/x.ts', "import '../server/server';"],
    ['host/x.ts', "import '../trainer/engine';"], ['host/x.ts', "import '../client/training';"], ['host/x.ts', "import 'vscode-languageserver';"],
    ['host/x.ts', "import '@tensorflow/tfjs';"],
  ],
  server: [
    ['server/x.ts', "import '../core/shapes';"], ['server/x.ts', "import '../core/features/hover';"], ['server/x.ts', "import '@tensorflow/tfjs';"],
    ['server/x.ts', "import 'vscode';"], ['server/x.ts', "import '../trainer/run';"], ['server/x.ts', "import '../client/training';"],
    ['server/x.ts', "import '../webview/html';"], ['server/x.ts', "import '../cli/main';"],
  ],
  trainer: [
    ['trainer/x.ts', "import 'vscode';"], ['trainer/x.ts', "import 'vscode-languageserver';"], ['trainer/x.ts', "import '../server/server';"],
    ['trainer/x.ts', "import '../cli/main';"], ['trainer/x.ts', "import '../core/shapes';"], ['trainer/x.ts', "import '../client/training';"],
    ['trainer/data/x.ts', "import '../../webview/html';"],
  ],
  client: [
    ['client/x.ts', "import '../core';"], ['client/x.ts', "import '@tensorflow/tfjs';"], ['client/x.ts', "import '../trainer/run';"],
    ['client/x.ts', "import '../trainer/engine';"], ['client/x.ts', "import '../trainer/native';"], ['client/x.ts', "import '../webview/panel';"], ['client/x.ts', "import 'vscode-languageserver';"],
    ['client/x.ts', "import '../host/fileDataHost';"], ['client/x.ts', "import '../host/runs';"], ['client/x.ts', "import '../server/main';"],
    ['client/x.ts', "import '../cli/main';"],
  ],
  webview: [
    ['webview/x.mts', "import 'vscode';"], ['webview/x.mts', "import '../core/index.js';"], ['webview/x.mts', "import 'node:fs';"],
    ['webview/x.mts', "import '../host/runs.js';"], ['webview/x.mts', "import '../client/panel.js';"], ['webview/x.mts', "import '../trainer/process.js';"],
  ],
  bridge: [
    ['trainer/process.ts', "import '../core';"], ['trainer/process.ts', "import './engine';"], ['trainer/process.ts', "import '../host/fileDataHost';"],
    ['trainer/process.ts', "import '@tensorflow/tfjs';"], ['trainer/install.ts', "import './native';"], ['trainer/install.ts', "import 'env-paths';"], ['webview/html.ts', "import '../core';"], ['webview/html.ts', "import './panel.mjs';"],
    ['webview/html.ts', "import 'uplot';"], ['webview/html.ts', "import 'elkjs';"], ['webview/html.ts', "import './graph.mjs';"],
  ],
  cli: [
    ['cli/x.ts', "import 'vscode';"], ['cli/x.ts', "import '../client/extension';"], ['cli/x.ts', "import '../server/server';"],
    ['cli/x.ts', "import '../server/features';"], ['cli/x.ts', "import '../webview/panel';"], ['cli/x.ts', "import 'vscode-languageserver';"],
    ['cli/x.ts', "import type { CallExpression } from '../core/syntax/tree';"], ['cli/x.ts', "import '../core/shapes';"],
  ],
  facade: [
    ['core/x.ts', "import { analyze } from './index';"], ['core/x.ts', "import '.';"], ['core/features/x.ts', "import type { Analysis } from '../index';"],
    ['core/features/x.ts', "import '..';"], ['core/syntax/x.ts', "import '..';"], ['core/catalog/x.ts', "import '../index';"],
    ['core/diagnostics.ts', "import './index';"], ['core/x.ts', "import '../core';"],
  ],
  syntax: [
    ['core/syntax/x.ts', "import '../binder';"], ['core/syntax/x.ts', "import '../catalog/layers';"], ['core/syntax/x.ts', "import '../shapes';"],
    ['core/syntax/x.ts', "import '../analysis';"], ['core/syntax/x.ts', "import '../features/hover';"],
  ],
  syntaxLeaves: [
    ['core/diagnostics.ts', "import './binder';"], ['core/diagnostics.ts', "import './catalog/types';"], ['core/suggest.ts', "import './shapes';"],
    ['core/suggest.ts', "import './features/hover';"],
  ],
  catalog: [
    ['core/catalog/x.ts', "import '../binder';"], ['core/catalog/x.ts', "import '../shapes';"], ['core/catalog/x.ts', "import '../train';"],
    ['core/catalog/x.ts', "import '../summary';"], ['core/catalog/x.ts', "import '../analysis';"], ['core/catalog/x.ts', "import '../features/hover';"],
    ['core/catalog/x.ts', "import '../syntax/parser';"], ['core/catalog/x.ts', "import '../syntax/scanner';"],
  ],
  analysis: [
    ['core/x.ts', "import './features/hover';"], ['core/shapes.ts', "import './features/locate';"], ['core/analysis.ts', "import type { TextEdit } from './features/textEdit';"],
  ],
};

/** Imports each file's rows allow. */
const ALLOWED: Record<string, string[]> = {
  'core/x.ts': ["import { distance } from 'fastest-levenshtein';", "import './syntax/parser';", "import './catalog/layers';", "import './binder';", "import './analysis';"],
  'core/index.ts': ["import './features/hover';", "import './analysis';", "import './syntax/parser';"],
  'core/features/x.ts': ["import type { Analysis } from '../analysis';", "import '../binder';", "import '../train';", "import '../syntax/scanner';", "import '../catalog/layers';", "import './textEdit';"],
  'core/syntax/x.ts': ["import './scanner';", "import '../diagnostics';", "import '../suggest';"],
  'core/diagnostics.ts': ["import type { TextRange } from './syntax/tree';", "import './suggest';"],
  'core/catalog/x.ts': ["import './types';", "import type { TextRange } from '../syntax/tree';", "import '../diagnostics';", "import '../suggest';"],
  'protocol/x.ts': ["import './training';"],
  'host/x.ts': ["import { analyze } from '../core';", "import 'node:fs';", "import '../protocol/history';", "import 'csv-parse';"],
  'server/x.ts': ["import { analyze } from '../core';", "import 'vscode-languageserver/node';", "import 'vscode-languageserver-textdocument';", "import 'vscode-uri';", "import '../host/fileDataHost';", "import '../protocol/editor';", "import 'node:net';"],
  'trainer/x.ts': ["import '../core';", "import '@tensorflow/tfjs';", "import '../protocol';", "import '../host/fileDataHost';", "import 'seedrandom';", "import envPaths from 'env-paths';", "import 'csv-parse';", "import 'node:worker_threads';", "import { PNG } from 'pngjs';", "import * as jpeg from 'jpeg-js';"],
  'trainer/process.ts': ["import 'node:child_process';", "import '../protocol/training';"],
  'webview/html.ts': ["import 'node:path';", "import '../protocol/panel';"],
  'client/x.ts': ["import 'vscode';", "import 'vscode-languageclient/node';", "import '../protocol';", "import '../trainer/process';", "import '../trainer/install';", "import '../webview/html';", "import 'node:path';"],
  'webview/x.mts': ["import '../protocol/panel.js';", "import './charts.mjs';", "import uPlot from 'uplot';", "import '@vscode/webview-ui-toolkit';", "import ELK from 'elkjs/lib/elk.bundled.js';", "import { zoom } from 'd3-zoom';", "import { select } from 'd3-selection';"],
  'cli/x.ts': ["import '../core';", "import '../trainer/buildModel';", "import '../trainer/process';", "import 'node:fs';", "import '../server/main';", "import '../host/fileDataHost';", "import '../protocol/training';", "import 'cli-progress';"],
};

describe('layer rule', () => {
  it('the project lints clean', async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}: ${m.ruleId}: ${m.message}`));
    assert.deepEqual(problems, []);
  });

  it('every rule of the config has imports it refuses here, and every case names a rule', async () => {
    assert.deepEqual(Object.keys(REFUSED).sort(), Object.keys(await ruleMessages()).sort());
  });

  for (const [rule, cases] of Object.entries(REFUSED)) {
    it(`the ${rule} rule refuses ${cases.length} imports its row leaves out`, async () => {
      const message = (await ruleMessages())[rule];
      assert.ok(message, `no rule named ${rule}`);
      for (const [file, source] of cases) assert.ok((await restrictions(file, source)).some((reported) => reported.includes(message)), `${file}: ${source} is not refused by the ${rule} rule`);
    });
  }

  for (const [file, imports] of Object.entries(ALLOWED)) {
    it(`${file} may import what its row allows`, async () => {
      for (const source of imports) assert.deepEqual(await restrictions(file, source), [], `${file}: ${source}`);
    });
  }
});
