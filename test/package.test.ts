/**
 * The extension package: `vsce package` succeeds without warnings, and the
 * .vsix holds only what runs, with what package.json promises.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './support';

const EXPECTED = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/extension.js.map',
  'extension/dist/server.js',
  'extension/dist/server.js.map',
  'extension/images/icon.png',
  'extension/images/net-file.svg',
  'extension/language-configuration.json',
  'extension/package.json',
  'extension/readme.md',
  'extension/snippets/net.json',
  'extension/syntaxes/net.tmLanguage.json',
];

describe('the .vsix', () => {
  it('packages without warnings and holds only what runs', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'layerwise-vsix-')), 'layerwise.vsix');
    const vsce = join(repoRoot, 'node_modules', '.bin', 'vsce');
    const run = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--readme-path', 'docs/extension.md', '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.doesNotMatch(run.stdout + run.stderr, /WARNING|warning/);
    const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n').sort(), [...EXPECTED].sort());
  });

  it('contributes the language, grammar, snippets, commands and settings the files provide', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const contributes = manifest.contributes;
    assert.equal(contributes.languages[0].id, 'net');
    assert.deepEqual(contributes.languages[0].extensions, ['.net']);
    assert.equal(contributes.grammars[0].scopeName, JSON.parse(readFileSync(join(repoRoot, 'syntaxes', 'net.tmLanguage.json'), 'utf8')).scopeName);
    assert.deepEqual(
      contributes.commands.map((c: { command: string; category: string }) => `${c.category}: ${c.command}`),
      ['Layerwise: layerwise.showSummary', 'Layerwise: layerwise.train', 'Layerwise: layerwise.stopTraining'],
    );
    assert.deepEqual(Object.keys(contributes.configuration.properties).sort(), ['layerwise.inlayHints.enabled', 'layerwise.trace.server', 'layerwise.training.backend']);
    assert.deepEqual(manifest.activationEvents, ['onLanguage:net']);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(manifest.main, './dist/extension.js');
  });
});
