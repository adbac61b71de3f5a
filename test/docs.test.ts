/**
 * The reference documentation says what the checker does: its generated
 * part equals what the catalogs produce now (`npm run docs` rewrites it).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { updateDocs } from '../scripts/docs';
import { LAYERS, DIAGNOSTICS, SETTINGS } from '../core';
import { repoRoot } from './support';

describe('docs/language.md', () => {
  const { before, after } = updateDocs(join(repoRoot, 'docs', 'language.md'));

  it('is up to date with the catalogs', () => {
    assert.equal(before, after, 'run `npm run docs` and commit docs/language.md');
  });

  it('documents every layer, setting and diagnostic code', () => {
    for (const layer of LAYERS) assert.ok(before.includes(`#### ${layer.name}\n`), layer.name);
    for (const setting of SETTINGS) assert.ok(before.includes(`| \`${setting.name}\` |`), setting.name);
    for (const code of Object.keys(DIAGNOSTICS)) assert.ok(before.includes(`| \`${code}\` |`), code);
  });
});
