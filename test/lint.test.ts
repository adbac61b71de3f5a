/**
 * The layer table of ARCHITECTURE.md holds: ESLint passes on the project,
 * and a forbidden import in any layer fails it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from './support';

const eslint = new ESLint({ cwd: repoRoot });

async function restrictedImports(file: string, source: string): Promise<number> {
  const [result] = await eslint.lintText(source, { filePath: `${repoRoot}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length;
}

const FORBIDDEN: Record<string, string[]> = {
  'core/x.ts': ["import 'node:fs';", "import * as tf from '@tensorflow/tfjs';", "import 'vscode';", "import 'vscode-languageserver/node';", "import '../trainer/buildModel';", "import '../cli/main';"],
  'core/syntax/x.ts': ["import '../../server/server';", "import 'fs';"],
  'protocol/x.ts': ["import '../core';", "import 'node:path';"],
  'host/x.ts': ["import '../core/shapes';", "import '../server/server';", "import 'vscode-languageserver';", "import '@tensorflow/tfjs';"],
  'server/x.ts': ["import '../core/shapes';", "import '@tensorflow/tfjs';", "import 'vscode';", "import '../trainer/run';"],
  'trainer/x.ts': ["import 'vscode';", "import 'vscode-languageserver';", "import '../server/server';", "import '../cli/main';"],
  'client/x.ts': ["import '../core';", "import '@tensorflow/tfjs';", "import '../trainer/run';", "import '../trainer/engine';", "import '../webview/panel';", "import 'vscode-languageserver';"],
  'webview/x.ts': ["import 'vscode';", "import '../core';", "import 'node:fs';"],
  'cli/x.ts': ["import 'vscode';", "import '../client/extension';"],
};

const ALLOWED: Record<string, string[]> = {
  'core/x.ts': ["import { distance } from 'fastest-levenshtein';", "import './syntax/parser';"],
  'server/x.ts': ["import { analyze } from '../core';", "import 'vscode-languageserver/node';", "import '../host/fileDataHost';"],
  'host/x.ts': ["import { analyze } from '../core';", "import 'node:fs';", "import '../protocol/history';"],
  'trainer/x.ts': ["import '../core';", "import '@tensorflow/tfjs';", "import '../protocol';"],
  'client/x.ts': ["import 'vscode';", "import 'vscode-languageclient/node';", "import '../protocol';", "import '../trainer/process';", "import '../webview/html';"],
  'cli/x.ts': ["import '../core';", "import '../trainer/buildModel';", "import 'node:fs';", "import '../server/main';", "import '../host/fileDataHost';"],
};

describe('layer rule', () => {
  it('the project lints clean', async () => {
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}: ${m.ruleId}: ${m.message}`));
    assert.deepEqual(problems, []);
  });

  for (const [file, imports] of Object.entries(FORBIDDEN)) {
    it(`${file.split('/')[0]} may not import ${imports.length} things it must not`, async () => {
      for (const source of imports) assert.equal(await restrictedImports(file, source), 1, `${file}: ${source}`);
    });
  }

  for (const [file, imports] of Object.entries(ALLOWED)) {
    it(`${file.split('/')[0]} may import what its row allows`, async () => {
      for (const source of imports) assert.equal(await restrictedImports(file, source), 0, `${file}: ${source}`);
    });
  }
});
