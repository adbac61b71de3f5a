/**
 * NumPy's files as numpy wrote them (test/fixtures/numpy/make.py): every
 * dtype, byte order, memory order and header version decoded exactly; the
 * checker's diagnostics at their arguments; the trainer's loading, its
 * errors at the file, and a model trained above chance.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DATA_SOURCES } from '../core';
import type { DataSourceUse } from '../core/train';
import { execFileSync } from 'node:child_process';
import { analyzeWithDataFiles, DataFiles } from '../host/fileDataHost';
import { NpyDecoder, openNumpy, parseNpyHeader, readArrays } from '../host/numpy';
import type { EpochEvent, FailedEvent, TrainerEvent } from '../protocol/training';
import { selectBackend } from '../trainer/backends';
import { DataError, loadDataSource } from '../trainer/data';
import { runTraining } from '../trainer/engine';
import { repoRoot } from './support';

const fixtures = join(repoRoot, 'test', 'fixtures', 'numpy');
interface Expected {
  descr: string;
  fortran: boolean;
  shape: number[];
  values: unknown[] | null;
}
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, unknown> & { blobs: { x: number[][]; y: number[] } };

const flat = (values: unknown): number[] => (Array.isArray(values) ? values.flatMap(flat) : [values as number]);

/** Every array of a fixture, decoded as float64, with the bytes handed over `chunk` at a time. */
async function decode(name: string, chunk = 1 << 16): Promise<{ name: string; descr: string; version: string; fortran: boolean; shape: number[]; values: number[] }[]> {
  const { handle, stats } = await openNumpy(join(fixtures, name));
  try {
    const arrays = await readArrays(handle, stats.size, name.endsWith('.npz'));
    const bytes = readFileSync(join(fixtures, name));
    return arrays.map((info) => {
      const header = info.header!;
      const values = new Float64Array(header.shape.reduce((a, b) => a * b, 1));
      const decoder = new NpyDecoder(header, values, name);
      // An .npz member's bytes: the fixtures' stored archive is read raw at the member's data offset.
      const start = info.member ? memberData(bytes, info.member.localHeaderOffset) : 0;
      const data = bytes.subarray(start + header.dataOffset, start + (info.member ? info.member.size : bytes.length));
      for (let at = 0; at < data.length; at += chunk) decoder.push(data.subarray(at, at + chunk));
      decoder.finish();
      return { name: info.name, descr: header.descr, version: header.version, fortran: header.fortranOrder, shape: header.shape, values: Array.from(values) };
    });
  } finally {
    await handle.close();
  }
}

function memberData(bytes: Buffer, local: number): number {
  return local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
}

describe('the .npy reader', () => {
  const decodable = (Object.entries(expected) as [string, Expected][]).filter(([name, entry]) => name.endsWith('.npy') && entry.values !== null && !name.startsWith('truncated') && !name.startsWith('blobs'));

  it('decodes every dtype in both byte orders exactly', async () => {
    const names = decodable.map(([name]) => name);
    for (const dtype of ['bool', 'int8', 'uint8', 'int16_le', 'int16_be', 'int32_be', 'int64_le', 'int64_be', 'uint64_be', 'float16_le', 'float16_be', 'float32_be', 'float64_be']) {
      assert.ok(names.includes(`${dtype}.npy`), dtype);
    }
    for (const [name, entry] of decodable) {
      const [array] = await decode(name);
      assert.equal(array!.descr, entry.descr, name);
      assert.equal(array!.fortran, entry.fortran, name);
      assert.deepEqual(array!.shape, entry.shape, name);
      assert.deepEqual(array!.values, flat(entry.values), name);
    }
  });

  it('reads values split anywhere between chunks', async () => {
    for (const name of ['int64_be.npy', 'float16_le.npy', 'fortran_order.npy']) {
      const [whole] = await decode(name);
      const [bytewise] = await decode(name, 1);
      const [odd] = await decode(name, 3);
      assert.deepEqual(bytewise!.values, whole!.values, name);
      assert.deepEqual(odd!.values, whole!.values, name);
    }
  });

  it('transposes Fortran order into C order', async () => {
    const [c] = await decode('c_order.npy');
    const [fortran] = await decode('fortran_order.npy');
    assert.equal(fortran!.fortran, true);
    assert.equal(c!.fortran, false);
    assert.deepEqual(fortran!.values, Array.from({ length: 24 }, (_, i) => i));
    assert.deepEqual(fortran!.values, c!.values);
    const [small] = await decode('fortran_be_i2.npy');
    assert.deepEqual([small!.descr, small!.fortran], ['>i2', true]);
    assert.deepEqual(small!.values, Array.from({ length: 12 }, (_, i) => i - 5));
  });

  it('reads header versions 1.0, 2.0 and 3.0', async () => {
    for (const major of [1, 2, 3]) {
      const [array] = await decode(`version${major}.npy`);
      assert.equal(array!.version, `${major}.0`);
      assert.deepEqual(array!.shape, [3, 2]);
      assert.deepEqual(array!.values, [0, 1, 2, 3, 4, 5]);
    }
  });

  it('names the dtypes it cannot read and refuses what is no .npy file', async () => {
    for (const [name, descr] of [['complex.npy', '<c16'], ['strings.npy', '<U2'], ['structured.npy', 'a structured dtype']] as const) {
      const { handle, stats } = await openNumpy(join(fixtures, name));
      const [info] = await readArrays(handle, stats.size, false);
      await handle.close();
      assert.equal(info!.header!.descr, descr);
      assert.equal(info!.header!.dtype, undefined);
    }
    assert.throws(() => parseNpyHeader(readFileSync(join(fixtures, 'not_numpy.npy'))), { name: 'NumpyFormatError' });
    assert.deepEqual(parseNpyHeader(readFileSync(join(fixtures, 'c_order.npy')).subarray(0, 9)), { needed: 12 });
  });
});

describe('the .npz reader', () => {
  it('lists a stored archive\'s arrays and decodes them', async () => {
    const arrays = await decode('blobs.npz');
    assert.deepEqual(arrays.map((a) => a.name).sort(), ['short', 'x_test', 'x_train', 'y_test', 'y_train']);
    const x = arrays.find((a) => a.name === 'x_train')!;
    assert.deepEqual(x.shape, [150, 4]);
    assert.deepEqual(x.values, expected.blobs.x.slice(0, 150).flat());
    assert.deepEqual(arrays.find((a) => a.name === 'y_test')!.values, expected.blobs.y.slice(150));
  });

  it('reads a deflated archive\'s headers, and the trainer its values', async () => {
    const { handle, stats } = await openNumpy(join(fixtures, 'blobs_compressed.npz'));
    const arrays = await readArrays(handle, stats.size, true);
    await handle.close();
    const shapes = Object.fromEntries(arrays.map((a) => [a.name, a.header!.shape]));
    assert.deepEqual(shapes, { x: [180, 4], y: [180], onehot: [180, 3], z: [1] });
    assert.ok(arrays.every((a) => a.member!.method === 8));
    const data = await loadDataSource(use('npz', { path: 'blobs_compressed.npz' }), { baseDir: fixtures, inputShape: [4], seed: 1 });
    assert.equal(data.count, 180);
    assert.deepEqual(Array.from(data.features), Array.from(Float32Array.from(expected.blobs.x.flat())));
    assert.deepEqual(Array.from(data.labels), expected.blobs.y);
    // One-hot rows are read as their class index.
    const onehot = await loadDataSource(use('npz', { path: 'blobs_compressed.npz', y: 'onehot', scale: 0.5 }), { baseDir: fixtures, inputShape: [4], seed: 1 });
    assert.deepEqual(Array.from(onehot.labels), expected.blobs.y);
    assert.equal(onehot.features[0], Math.fround(expected.blobs.x[0]![0]!) * 0.5);
  });
});

/** A use of a NumPy source with the catalog's defaults for what is not given. */
function use(name: 'npy' | 'npz', given: Record<string, string | number | number[]>): DataSourceUse {
  const spec = DATA_SOURCES.find((s) => s.name === name)!;
  const values: Record<string, unknown> = {};
  for (const param of spec.params) if (param.default !== undefined) values[param.name] = param.default;
  return { spec, args: { values: { ...values, ...given } as never, given: Object.keys(given), positional: 0, ranges: {} }, range: { pos: 0, end: 0 } };
}

describe('npy() and npz() in the trainer', () => {
  const load = (name: 'npy' | 'npz', given: Record<string, string>) => loadDataSource(use(name, given), { baseDir: fixtures, inputShape: [4], seed: 1 });

  it('loads features as float32 and labels as written', async () => {
    const data = await load('npy', { path: 'blobs_x.npy', labels: 'blobs_y.npy' });
    assert.equal(data.count, 180);
    assert.deepEqual(data.featureShape, [4]);
    assert.deepEqual(Array.from(data.labels), expected.blobs.y);
  });

  it('fails at the file for each problem', async () => {
    const cases: [() => Promise<unknown>, RegExp, string][] = [
      [() => load('npy', { path: 'truncated.npy', labels: 'blobs_y.npy' }), /truncated/, 'truncated.npy'],
      [() => load('npy', { path: 'not_numpy.npy', labels: 'blobs_y.npy' }), /not a \.npy file/, 'not_numpy.npy'],
      [() => load('npy', { path: 'complex.npy', labels: 'blobs_y.npy' }), /complex/, 'complex.npy'],
      [() => load('npy', { path: 'blobs_x.npy', labels: 'blobs_y_short.npy' }), /100 labels.*180 samples/, 'blobs_y_short.npy'],
      [() => load('npy', { path: 'absent.npy', labels: 'blobs_y.npy' }), /not found/, 'absent.npy'],
      [() => load('npz', { path: 'blobs.npz', x: 'x_trian', y: 'y_train' }), /no array 'x_trian'; did you mean 'x_train'/, 'blobs.npz'],
      [() => load('npz', { path: 'blobs_compressed.npz', y: 'x' }), /not a one-hot row/, 'blobs_compressed.npz'],
      [() => load('npy', { path: 'blobs_x.npy', labels: fixtures }), /a directory/, 'numpy'],
      [() => load('npy', { path: 'nan_x.npy', labels: 'nan_y.npy' }), /sample 2: the feature NaN is not a finite number/, 'nan_x.npy'],
      [() => load('npy', { path: 'blobs.npz', labels: 'blobs_y.npy' }), /an \.npz archive: read it with npz/, 'blobs.npz'],
    ];
    for (const [promise, message, file] of cases) {
      await assert.rejects(promise(), (error: unknown) => {
        assert.ok(error instanceof DataError, String(error));
        assert.match(error.message, message);
        assert.ok(error.file?.endsWith(file), `${error.file} ${file}`);
        return true;
      });
    }
  });
});

describe('the checker with NumPy files', () => {
  const model = `model M {
  input [4]
  Dense(8, activation=relu)
  Dense(3, activation=softmax)
}
model Wide {
  input [5]
  Dense(2, activation=softmax)
}
model Image {
  input [2, 2, 1]
  Flatten()
  Dense(3, activation=softmax)
}
`;
  const train = (name: string, data: string) => `train ${name} {\n  data = ${data}\n  loss = categorical_crossentropy\n}\n`;
  const check = async (...blocks: string[]) => {
    const text = model + blocks.join('');
    const analysis = await analyzeWithDataFiles(text, join(fixtures, 'check.net'));
    return analysis.diagnostics.map((d) => {
      const { line, character } = analysis.lines.positionAt(d.pos);
      return `${line + 1}:${character + 1} ${d.code}`;
    });
  };
  const first = model.split('\n').length + 1;

  it('checks clean sources clean', async () => {
    assert.deepEqual(
      await check(
        train('M', 'npz("blobs.npz", x="x_train", y="y_train")'),
        train('M', 'npy("blobs_x.npy", labels="blobs_y.npy")'),
        train('M', 'npz("blobs_compressed.npz", y="onehot")'),
        train('Image', 'npz("blobs_compressed.npz", shape=[2, 2, 1])'),
      ),
      [],
    );
  });

  it('reports each problem at its argument', async () => {
    const at = (block: number, column: number, code: string) => `${first + block * 4}:${column} ${code}`;
    assert.deepEqual(
      await check(
        train('M', 'npz("blobs.npz", x="x_train", y="y_trian")'),
        train('M', 'npy("blobs_x.npy", labels="blobs_y_short.npy")'),
        train('M', 'npy("complex.npy", labels="not_numpy.npy")'),
        train('M', 'npz("blobs_compressed.npz", x="z")'),
        train('M', 'npy("truncated.npy", labels="absent.npy")'),
        train('Wide', 'npy("blobs_x.npy", labels="blobs_y.npy")'),
        train('Image', 'npz("blobs_compressed.npz")'),
        train('M', 'npz("blobs.npz", x="x_train", y="short")'),
      ),
      [
        at(0, 42, 'data-array-not-found'),
        at(1, 36, 'data-label-count'),
        at(2, 14, 'data-dtype-unsupported'),
        at(2, 36, 'data-file-invalid'),
        at(3, 40, 'data-dtype-unsupported'),
        at(4, 14, 'data-file-invalid'),
        at(4, 38, 'data-file-not-found'),
        '8:9 units-class-mismatch',
        at(5, 10, 'data-shape-mismatch'),
        at(6, 10, 'data-shape-mismatch'),
        at(7, 42, 'data-label-count'),
      ].sort((a, b) => parseInt(a) - parseInt(b) || parseInt(a.split(':')[1]!) - parseInt(b.split(':')[1]!)),
    );
  });

  it('counts integer labels\' classes against the output units', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-numpy-'));
    try {
      copyFileSync(join(fixtures, 'blobs_x.npy'), join(dir, 'x.npy'));
      copyFileSync(join(fixtures, 'blobs_y.npy'), join(dir, 'y.npy'));
      const text = 'model Two {\n  input [4]\n  Dense(2, activation=softmax)\n}\ntrain Two {\n  data = npy("x.npy", labels="y.npy")\n  loss = sparse_categorical_crossentropy\n}\n';
      writeFileSync(join(dir, 'two.net'), text);
      const analysis = await analyzeWithDataFiles(text, join(dir, 'two.net'));
      assert.deepEqual(analysis.diagnostics.map((d) => [d.code, analysis.lines.positionAt(d.pos).line + 1, d.suggestion]), [['units-class-mismatch', 3, '3']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a damaged archive', () => {
  it('fails at the file when a deflated member is damaged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-numpy-zip-'));
    try {
      const bytes = readFileSync(join(fixtures, 'blobs_compressed.npz'));
      // The first member (x.npy): its deflated data overwritten with 0xff, near its start (the header's part) and further in.
      const data = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28);
      const damaged = (from: number) => {
        const copy = Buffer.from(bytes);
        copy.fill(0xff, data + from, data + from + 200);
        writeFileSync(join(dir, 'broken.npz'), copy);
        return loadDataSource(use('npz', { path: 'broken.npz' }), { baseDir: dir, inputShape: [4], seed: 1 });
      };
      const failsWith = (message: RegExp) => (error: unknown) => {
        assert.ok(error instanceof DataError, String(error));
        assert.match(error.message, message);
        assert.ok(error.file?.endsWith('broken.npz'));
        return true;
      };
      await assert.rejects(damaged(200), failsWith(/^'x' of broken\.npz cannot be read: its member x\.npy cannot be inflated: invalid distance too far back$/));
      await assert.rejects(damaged(1500), failsWith(/^'x' of broken\.npz: it holds more data than its shape \(180, 4\) says$/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

});

describe('the data host with NumPy files', () => {
  it('never opens a named pipe or a folder, and reads a changed file again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-numpy-host-'));
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.npy')]);
      copyFileSync(join(fixtures, 'blobs_x.npy'), join(dir, 'x.npy'));
      copyFileSync(join(fixtures, 'blobs_y.npy'), join(dir, 'y.npy'));
      const files = new DataFiles({ revalidate: true });
      const ask = async (path: string) => {
        const host = files.host(join(dir, 'm.net'));
        host.numpyArrays!(path);
        await files.idle();
        const answer = files.host(join(dir, 'm.net')).numpyArrays!(path);
        // The look revalidates: let that read end before the file changes.
        await files.idle();
        return answer;
      };
      assert.deepEqual(await ask('pipe.npy'), { problem: 'not-regular', detail: 'a named pipe' });
      assert.deepEqual(await ask('.'), { problem: 'not-regular', detail: 'a directory' });
      assert.deepEqual(await ask('y.npy'), { arrays: [{ name: '', shape: [180], dtype: 'int64', readable: true }] });
      copyFileSync(join(fixtures, 'blobs_y_short.npy'), join(dir, 'y.npy'));
      const host = files.host(join(dir, 'm.net'));
      host.numpyArrays!('y.npy');
      await files.idle();
      assert.deepEqual(files.host(join(dir, 'm.net')).numpyArrays!('y.npy'), { arrays: [{ name: '', shape: [100], dtype: 'int64', readable: true }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('training on NumPy data', () => {
  before(() => selectBackend('cpu'));
  const scratch = mkdtempSync(join(tmpdir(), 'layerwise-numpy-train-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  async function trainText(text: string): Promise<TrainerEvent[]> {
    for (const name of ['blobs.npz', 'blobs_compressed.npz', 'truncated.npy', 'blobs_y.npy']) copyFileSync(join(fixtures, name), join(scratch, name));
    const file = join(scratch, `m${Math.random().toString(36).slice(2)}.net`);
    writeFileSync(file, text);
    const events: TrainerEvent[] = [];
    await runTraining({ type: 'start', file, backend: 'cpu', runsDir: join(scratch, 'runs') }, (event) => events.push(event), { stopRequested: false });
    return events;
  }
  const net = (data: string) => `model M {
  input [4]
  Dense(16, activation=relu)
  Dense(3, activation=softmax)
}
train M {
  ${data}
  loss = sparse_categorical_crossentropy
  optimizer = Adam(learning_rate=0.02)
  metrics = [accuracy]
  epochs = 15
  batch_size = 16
  seed = 2
}
`;

  it('learns blobs from an archive, validated on its test arrays and on a fraction', async () => {
    for (const data of ['data = npz("blobs.npz", x="x_train", y="y_train")\n  validation = npz("blobs.npz", x="x_test", y="y_test")', 'data = npz("blobs_compressed.npz")\n  validation = 0.2']) {
      const events = await trainText(net(data));
      const last = events.filter((e): e is EpochEvent => e.type === 'epoch').at(-1);
      assert.ok(last, JSON.stringify(events.filter((e) => e.type === 'failed')));
      assert.equal(last.epoch, 15);
      // Three classes: chance is a third.
      assert.ok(last.metrics['val_acc']! > 0.8, JSON.stringify(last.metrics));
    }
  });

  it('ends a run on a truncated file with a message at the file', async () => {
    const events = await trainText(net('data = npy("truncated.npy", labels="blobs_y.npy")'));
    const failed = events.filter((e): e is FailedEvent => e.type === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.message, /truncated/);
  });
});
