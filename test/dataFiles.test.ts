/**
 * Data files as the checker reads them: only regular files, off the event
 * loop, bounded, cached per file version; a path that is no readable CSV
 * file is a diagnostic on the path, in the core, the command line and the
 * language server alike. The FIFOs are real (`mkfifo`), as are the
 * processes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { analyze, type Analysis, type Diagnostic } from '../core';
import { analyzeWithDataFiles, CLASS_SCAN_BYTES, createFileDataHost, DataFiles } from '../host/fileDataHost';
import { loadCsv } from '../trainer/data/csv';
import { encodeLabels } from '../trainer/data/labels';
import { LspClient } from './lsp/client';
import { cliPath, repoRoot } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-data-files-'));
const fixtures = join(repoRoot, 'test', 'fixtures');

function fifo(name: string): string {
  const path = join(scratch, name);
  execFileSync('mkfifo', [path]);
  return path;
}

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

/** A .net file in the scratch folder: a model of `units` outputs trained on `data`. */
function netFile(name: string, data: string, options: { units?: number; activation?: string; loss?: string; validation?: string } = {}): { path: string; text: string } {
  const { units = 2, activation = 'softmax', loss = 'categorical_crossentropy', validation } = options;
  const text = [
    'model M {',
    '  input [2]',
    `  Dense(${units}, activation=${activation})`,
    '}',
    'train M {',
    `  data = ${data}`,
    ...(validation ? [`  validation = ${validation}`] : []),
    `  loss = ${loss}`,
    '}',
    '',
  ].join('\n');
  return { path: file(name, text), text };
}

/** Code, text of the range and message of each diagnostic of the data and the classes. */
function dataDiagnostics(analysis: Analysis): { code: string; at: string; message: string }[] {
  return analysis.diagnostics
    .filter((d) => d.code.startsWith('data-file') || d.code === 'data-label-not-found' || d.code === 'units-class-mismatch')
    .map((d: Diagnostic) => ({ code: d.code, at: analysis.text.slice(d.pos, d.end), message: d.message }));
}

function check(data: string, options?: Parameters<typeof netFile>[2]): Promise<{ code: string; at: string; message: string }[]> {
  const { path, text } = netFile(`n${Math.random().toString(36).slice(2)}.net`, data, options);
  return analyzeWithDataFiles(text, path).then(dataDiagnostics);
}

const pipe = fifo('pipe.csv');
mkdirSync(join(scratch, 'folder.csv'));
file('empty.csv', '');
file('blank.csv', '\n\n  \r\n');
file('three.csv', 'x,y,label\n0,1,cat\n1,0,dog\n1,1, bird\n0,0,cat\n');
file('two.csv', 'x,y,label\n0,1,0\n1,0,1\n1,1,1\n');

describe('the data host', () => {
  it('never opens a named pipe: it is a diagnostic on the path, and analysis does not wait for it', async () => {
    assert.deepEqual(await check('csv("pipe.csv")'), [{ code: 'data-file-not-regular', at: '"pipe.csv"', message: "'pipe.csv' is a named pipe, not a file" }]);
    assert.deepEqual(await check(`csv(${JSON.stringify(pipe)})`), [{ code: 'data-file-not-regular', at: JSON.stringify(pipe), message: `'${pipe}' is a named pipe, not a file` }]);
  });

  it('says a directory is a directory, and a device a device', async () => {
    assert.deepEqual(await check('csv("folder.csv")'), [{ code: 'data-file-not-regular', at: '"folder.csv"', message: "'folder.csv' is a directory, not a file" }]);
    assert.deepEqual(await check('csv("/dev/null")', { validation: 'csv("folder.csv")' }), [
      { code: 'data-file-not-regular', at: '"/dev/null"', message: "'/dev/null' is a device, not a file" },
      { code: 'data-file-not-regular', at: '"folder.csv"', message: "'folder.csv' is a directory, not a file" },
    ]);
  });

  it('says an empty file is empty, not that it lacks the label column', async () => {
    assert.deepEqual(await check('csv("empty.csv")'), [{ code: 'data-file-empty', at: '"empty.csv"', message: "'empty.csv' is empty: a CSV file needs a header row, then the data rows" }]);
    assert.deepEqual((await check('csv("blank.csv")')).map((d) => d.code), ['data-file-empty']);
  });

  it('still reports a missing file as not found, and a missing label column', async () => {
    assert.deepEqual(await check('csv("nowhere.csv")'), [{ code: 'data-file-not-found', at: '"nowhere.csv"', message: "data file 'nowhere.csv' not found" }]);
    assert.deepEqual((await check('csv("three.csv", label="lable")')).map((d) => [d.code, d.at]), [['data-label-not-found', '"lable"']]);
  });

  it('checks the output against the classes of the label column', async () => {
    const mismatch = await check('csv("three.csv")');
    assert.deepEqual(mismatch, [{ code: 'units-class-mismatch', at: '2', message: "model 'M' has 2 output units, but the data has 3 classes: use 3 units" }]);
    assert.deepEqual(await check('csv("three.csv")', { units: 3 }), []);
    assert.deepEqual(await check('csv("three.csv")', { units: 3, loss: 'sparse_categorical_crossentropy' }), []);
    assert.deepEqual(await check('csv("two.csv")', { units: 1, activation: 'sigmoid', loss: 'binary_crossentropy' }), []);
    assert.deepEqual((await check('csv("three.csv")', { units: 1, activation: 'sigmoid', loss: 'binary_crossentropy' })).map((d) => d.message), [
      "model 'M' has 1 output unit, but the data has 3 classes: use 3 units",
    ]);
    // A regression has no classes: its labels are not counted.
    assert.deepEqual(await check('csv("three.csv")', { units: 1, activation: 'linear', loss: 'mse' }), []);
  });

  it('counts classes as the trainer does: trimmed, numbers by value', async () => {
    const cases: [string, string][] = [
      ['numbers.csv', 'x,y,label\n0,1,1\n1,0,1.0\n1,1, 01 \n0,0,2\n0,0,3\n'],
      ['mixed.csv', 'x,y,label\n0,1,1\n1,0,1.0\n1,1,a\n'],
      ['quoted.csv', '\uFEFFx,y,"label"\n\n0,1,"b"\n1,0,a\n1,1," a"\n'],
      ['three.csv', ''],
    ];
    for (const [name, text] of cases) {
      if (text) file(name, text);
      const data = await loadCsv({ path: name, file: join(scratch, name), label: 'label', scale: 1, shape: null, inputShape: [2] });
      const trainer = encodeLabels(data).classes.length;
      const files = new DataFiles();
      const host = files.host(join(scratch, 'x.net'));
      assert.equal(host.csvClasses!(name, 'label'), undefined, 'not read yet');
      await files.idle();
      assert.equal(host.csvClasses!(name, 'label'), trainer, name);
    }
  });

  it('skips the class check for a file past the scan bound', async () => {
    // Three classes throughout, past the bound: scanned, they would not fit the two units.
    const rows = '0,1,cat\n1,0,dog\n1,1,bird\n';
    file('large.csv', 'x,y,label\n' + rows.repeat(Math.ceil(CLASS_SCAN_BYTES / rows.length)));
    assert.deepEqual(await check('csv("large.csv")'), []);
    file('small.csv', 'x,y,label\n' + rows);
    assert.deepEqual((await check('csv("small.csv")')).map((d) => d.code), ['units-class-mismatch']);
  });

  it('answers from its cache, reads a file once per version, and re-reads a changed file', async () => {
    const path = file('changing.csv', 'x,y,label\n0,1,a\n');
    const files = new DataFiles({ revalidate: true });
    const heard: string[] = [];
    files.onChange((changed) => heard.push(changed));
    const first = files.host(join(scratch, 'x.net'));
    // The first question starts the read and cannot be answered yet.
    assert.equal(first.csvHeader('changing.csv'), undefined);
    assert.equal(first.misses, 1);
    await files.idle();
    assert.deepEqual(heard, [path]);
    const second = files.host(join(scratch, 'x.net'));
    assert.deepEqual(second.csvHeader('changing.csv'), ['x', 'y', 'label']);
    assert.equal(second.misses, 0);
    await files.idle();
    assert.deepEqual(heard, [path], 'an unchanged file gives no new answer');
    writeFileSync(path, 'x,y,z,target\n0,1,2,a\n');
    // The known answer stands until the new one is read.
    assert.deepEqual(files.host(join(scratch, 'x.net')).csvHeader('changing.csv'), ['x', 'y', 'label']);
    await files.idle();
    assert.deepEqual(heard, [path, path]);
    assert.deepEqual(files.host(join(scratch, 'x.net')).csvHeader('changing.csv'), ['x', 'y', 'z', 'target']);
  });

  it('leaves a file unchecked, without a diagnostic, while its answer is pending', () => {
    const { path, text } = netFile('pending.net', 'csv("pipe.csv")');
    const host = createFileDataHost(path);
    assert.deepEqual(dataDiagnostics(analyze(text, { host })), []);
    assert.equal(host.misses, 1);
  });
});

describe('layerwise check and summary with data files', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 20_000 });

  it('ends promptly with the positioned diagnostic for a named pipe, a directory, an empty and a missing file', () => {
    const { path } = netFile('cli.net', 'csv("pipe.csv")', { validation: 'csv("folder.csv")' });
    const result = run('check', path);
    assert.equal(result.signal, null, 'the check ended by itself');
    assert.equal(result.status, 1);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      `${path}:6:14: error data-file-not-regular: 'pipe.csv' is a named pipe, not a file`,
      `${path}:7:20: error data-file-not-regular: 'folder.csv' is a directory, not a file`,
    ]);
    const other = netFile('cli2.net', 'csv("empty.csv")', { validation: 'csv("nowhere.csv")' });
    assert.deepEqual(run('check', other.path).stdout.trim().split('\n'), [
      `${other.path}:6:14: error data-file-empty: 'empty.csv' is empty: a CSV file needs a header row, then the data rows`,
      `${other.path}:7:20: warning data-file-not-found: data file 'nowhere.csv' not found`,
    ]);
  });

  it('summary ends promptly too, printing the error and the table', () => {
    const { path } = netFile('summary.net', 'csv("pipe.csv")');
    const result = run('summary', path);
    assert.equal(result.signal, null);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /:6:14: error data-file-not-regular: 'pipe\.csv' is a named pipe, not a file/);
    assert.match(result.stdout, /Total params: 6/);
  });

  it('reports the classes of a CSV file against the output units', () => {
    const three = join(fixtures, 'three_classes.csv');
    const wrong = netFile('classes.net', `csv(${JSON.stringify(three)})`);
    const result = run('check', '--json', wrong.path);
    assert.equal(result.status, 1);
    const [report] = JSON.parse(result.stdout).files;
    assert.deepEqual(report.diagnostics.map((d: { code: string; line: number; column: number }) => [d.code, d.line, d.column]), [['units-class-mismatch', 3, 9]]);
    const right = netFile('classes3.net', `csv(${JSON.stringify(three)})`, { units: 3 });
    assert.equal(run('check', right.path).status, 0);
    const binary = netFile('binary.net', `csv(${JSON.stringify(join(fixtures, 'two_classes.csv'))})`, { units: 1, activation: 'sigmoid', loss: 'binary_crossentropy' });
    const clean = run('check', binary.path);
    assert.deepEqual([clean.status, clean.stdout], [0, '']);
  });
});

describe('the language server with data files', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });

  after(async () => {
    assert.equal(await client.stop(), 0, `server exit code; stderr: ${client.stderr.join('')}`);
  });

  /** The latest diagnostics of `uri` once they satisfy `ready`. */
  async function diagnosticsUntil(uri: string, ready: (codes: string[]) => boolean): Promise<{ code: string; line: number; character: number; endCharacter: number; message: string }[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const latest = client.published.get(uri);
      if (latest && ready(latest.diagnostics.map((d) => String(d.code)))) {
        return latest.diagnostics.map((d) => ({ code: String(d.code), line: d.range.start.line, character: d.range.start.character, endCharacter: d.range.end.character, message: String(d.message) }));
      }
      await client.diagnostics(uri, undefined, Math.max(1, deadline - Date.now()));
    }
  }

  it('publishes the diagnostic of a named pipe and still answers a hover', async () => {
    const { path, text } = netFile('served.net', 'csv("pipe.csv")', { validation: 'csv("folder.csv")' });
    const uri = pathToFileURL(path).href;
    await client.open(uri, text);
    const diagnostics = await diagnosticsUntil(uri, (codes) => codes.includes('data-file-not-regular'));
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line, d.character, d.endCharacter, d.message]),
      [
        ['data-file-not-regular', 5, 13, 23, "'pipe.csv' is a named pipe, not a file"],
        ['data-file-not-regular', 6, 19, 31, "'folder.csv' is a directory, not a file"],
      ],
    );
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 3 } })) as { contents: { value: string } } | null;
    assert.match(hover?.contents.value ?? '', /Dense/);
  });

  it('checks a data file again when it changed, at the next edit', async () => {
    const data = file('edited.csv', 'x,y,lbl\n0,1,a\n');
    const { path, text } = netFile('edited.net', 'csv("edited.csv")');
    const uri = pathToFileURL(path).href;
    await client.open(uri, text);
    assert.deepEqual((await diagnosticsUntil(uri, (codes) => codes.includes('data-label-not-found'))).map((d) => d.code), ['data-label-not-found']);
    writeFileSync(data, 'x,y,label\n0,1,a\n1,0,b\n');
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
    assert.deepEqual(await diagnosticsUntil(uri, (codes) => !codes.includes('data-label-not-found')), []);
  });
});
