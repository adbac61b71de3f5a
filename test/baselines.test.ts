/**
 * Error baselines: each fixture in test/fixtures is checked, and its
 * diagnostics (with the source line and `~~~` under the range) and model
 * summaries are compared with the `.baseline` file beside it. A missing
 * baseline is written out and the test fails until it is reviewed and
 * committed; `npm run update-fixtures` rewrites them all.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { DIAGNOSTICS, formatSummary, type Analysis } from '../core';
import { analyzeWithDataFiles } from '../host/fileDataHost';
import { netFiles, read, repoRoot, updateFixtures } from './support';

const fixtures = join(repoRoot, 'test', 'fixtures');

function render(name: string, analysis: Analysis): string {
  const sourceLines = analysis.text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  for (const d of analysis.diagnostics) {
    const start = analysis.lines.positionAt(d.pos);
    const end = analysis.lines.positionAt(d.end);
    out.push(`${name}(${start.line + 1},${start.character + 1}): ${d.severity} ${d.code}: ${d.message}${d.suggestion !== undefined ? ` [fix: ${d.suggestion}]` : ''}`);
    const line = sourceLines[start.line] ?? '';
    const width = end.line === start.line ? Math.max(1, end.character - start.character) : Math.max(1, line.length - start.character);
    out.push(`    ${line}`);
    out.push(`    ${' '.repeat(start.character)}${'~'.repeat(width)}`);
  }
  out.push('');
  for (const { network } of analysis.models) out.push(formatSummary(network));
  return out.join('\n');
}

describe('baselines', () => {
  const seenCodes = new Set<string>();
  for (const file of netFiles(fixtures)) {
    const name = basename(file);
    it(name, async () => {
      const analysis = await analyzeWithDataFiles(read(file), file);
      for (const d of analysis.diagnostics) seenCodes.add(d.code);
      const actual = render(name, analysis);
      const baseline = file.replace(/\.net$/, '.baseline');
      if (updateFixtures || !existsSync(baseline)) {
        writeFileSync(baseline, actual);
        if (!updateFixtures) assert.fail(`new baseline written: review and commit ${basename(baseline)}`);
        return;
      }
      assert.equal(actual, read(baseline));
    });
  }

  it('together exercise every diagnostic code of the catalog', () => {
    // internal-error marks a bug of the checker; the fuzz test requires that it never appears.
    // document-too-large comes from the language server's size bound, never from analyze (test/server.test.ts).
    const notFromAnalysis = new Set(['internal-error', 'document-too-large']);
    const missing = Object.keys(DIAGNOSTICS).filter((code) => !seenCodes.has(code) && !notFromAnalysis.has(code));
    assert.deepEqual(missing, []);
  });
});
