/**
 * The standalone server in a real editor: Neovim's built-in LSP client
 * (`nvim --headless`) starts `layerwise-language-server --stdio`, gets the
 * diagnostics of the shape-errors example, hovers a Dense layer and asks for
 * completions after `-> D`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serverPath } from './lsp/client';
import { repoRoot, sharedExamples } from './support';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
// .ci/run installs Neovim, and under CI a missing nvim fails; elsewhere the test says why it did not run.
const skip = nvim.status === 0 || process.env['CI'] ? false : 'nvim is not installed (apt-get install neovim)';

describe('Neovim as the LSP client', { skip }, () => {
  it('shows diagnostics, hover and completion from the server', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'layerwise-nvim-')), 'result.json');
    const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '--noplugin', '-c', `luafile ${join(repoRoot, 'test', 'nvim', 'lsp.lua')}`], {
      env: { ...process.env, LAYERWISE_OUT: out, LAYERWISE_SERVER: serverPath, LAYERWISE_FILE: join(sharedExamples, 'shape_errors.net') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `nvim: ${run.stderr}${run.stdout}`);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(result.error, undefined, result.error);
    const errors = result.diagnostics.filter((d: { severity: number }) => d.severity === 1);
    assert.deepEqual(errors.map((d: { line: number }) => d.line), [8, 9, 10, 11, 12]);
    assert.deepEqual(errors.map((d: { code: string }) => d.code), ['shape-mismatch', 'rank-mismatch', 'unknown-activation', 'reshape-size', 'argument-range']);
    assert.match(result.hover, /64 × 128 \+ 128 = 8,320/);
    assert.ok(result.completion.includes('Dense'), `completion: ${result.completion.join(', ')}`);
  });
});
