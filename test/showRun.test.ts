/**
 * Show Last Run's arguments as the command reads them: the status-bar
 * item's run key arrives (it once sat in a position the command dropped),
 * the run lens's uri, model and folder arrive in their order, and arguments
 * of the wrong type are left out instead of being taken for a run.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { showRunTarget, statusItemArguments } from '../client/showRun';
import { RUNS_FOLDER } from '../protocol/history';

// A project folder of this machine's, whatever it is: the arguments are only carried, never opened.
const project = join(tmpdir(), 'project');
const xorUri = pathToFileURL(join(project, 'xor.net')).href;

describe('Show Last Run arguments', () => {
  it('the status-bar item\'s arguments name the run of its key', () => {
    const key = `${xorUri}#0`;
    assert.deepEqual(showRunTarget(statusItemArguments(key)), { key });
  });

  it('a status-bar item\'s key survives a round trip through JSON', () => {
    // Arguments can be serialised between the workbench and the extension host.
    const key = `${pathToFileURL(join(project, 'a b.net')).href}#2`;
    assert.deepEqual(showRunTarget(JSON.parse(JSON.stringify(statusItemArguments(key))) as unknown[]), { key });
  });

  it('the run lens\'s arguments are the document, the model and the run folder', () => {
    const dir = join(project, ...RUNS_FOLDER, 'Xor', '2024-01-01T00-00-00');
    assert.deepEqual(showRunTarget([xorUri, 'Xor', dir]), { uri: xorUri, model: 'Xor', dir });
    assert.deepEqual(showRunTarget([xorUri, 'Xor']), { uri: xorUri, model: 'Xor' });
  });

  it('no arguments, or arguments of the wrong type, name nothing', () => {
    assert.deepEqual(showRunTarget([]), {});
    assert.deepEqual(showRunTarget([42, { model: 'Xor' }, null]), {});
    assert.deepEqual(showRunTarget([{ key: 7 }]), {});
    assert.deepEqual(showRunTarget([null, 'Xor']), { model: 'Xor' });
  });
});
