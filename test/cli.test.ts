/**
 * The `layerwise` command as a user runs it: a real process, its output and
 * its exit status.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, projectExamples, read, repoRoot, sharedExamples } from './support';

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'layerwise-cli-'));

/** The bundled command, as the package's bin runs it. */
const distCli = join(repoRoot, 'dist', 'cli.js');
function runDist(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [distCli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('layerwise check', () => {
  it('exits 0 and prints nothing for a clean file', () => {
    const result = run('check', join(sharedExamples, 'xor.net'));
    assert.equal(result.status, 0);
    assert.equal(result.stdout, '');
  });

  it('prints path:line:col: severity code: message and exits 1 on errors', () => {
    const path = join(sharedExamples, 'shape_errors.net');
    const result = run('check', path);
    assert.equal(result.status, 1);
    const errors = result.stdout.split('\n').filter((line) => line.includes(': error '));
    assert.equal(errors.length, 5);
    assert.equal(errors[0], `${path}:8:17: error shape-mismatch: Add needs equal shapes: (None, 128) and (None, 32)`);
    assert.match(errors[2]!, /:10:33: error unknown-activation: unknown activation 'softmaxx'; did you mean 'softmax'\?$/);
  });

  it('checks several files and exits 1 when any has errors', () => {
    const result = run('check', join(sharedExamples, 'xor.net'), join(sharedExamples, 'shape_errors.net'));
    assert.equal(result.status, 1);
  });

  it('reports a missing file clearly, without a stack trace, and exits 2', () => {
    const result = run('check', join(scratch, 'nope.net'));
    assert.equal(result.status, 2);
    assert.match(result.stderr, /cannot read '.*nope\.net': no such file/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('exits 2 on usage errors', () => {
    assert.equal(run('check').status, 2);
    assert.equal(run('frobnicate').status, 2);
    assert.equal(run('check', '--jsn', 'x.net').status, 2);
    assert.equal(run().status, 2);
    assert.equal(run('--help').status, 0);
  });

  it('--json prints the documented shape with 1-based positions', () => {
    const path = join(sharedExamples, 'residual.net');
    const result = run('check', '--json', path, join(sharedExamples, 'shape_errors.net'));
    assert.equal(result.status, 1);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(report), ['files']);
    const [residual, broken] = report.files;
    assert.equal(residual.path, path);
    assert.deepEqual(residual.diagnostics, []);
    const model = residual.models[0];
    assert.deepEqual(Object.keys(model), ['name', 'params', 'layers']);
    assert.deepEqual(model.params, { total: 27298, trainable: 27298, nonTrainable: 0 });
    assert.deepEqual(model.layers[0], { name: 'features', type: 'Input', outputShape: [null, 64], params: 0, trainable: 0, nonTrainable: 0, line: 5 });
    assert.deepEqual(model.layers[2], { name: 'dense', type: 'Dense', outputShape: [null, 128], params: 8320, trainable: 8320, nonTrainable: 0, line: 7 });
    const first = broken.diagnostics.find((d: { severity: string }) => d.severity === 'error');
    assert.deepEqual(first, {
      line: 8,
      column: 17,
      endLine: 8,
      endColumn: 22,
      severity: 'error',
      code: 'shape-mismatch',
      message: 'Add needs equal shapes: (None, 128) and (None, 32)',
    });
  });
});

describe('layerwise summary', () => {
  it('prints the Keras layout with thousands separators', () => {
    const result = run('summary', join(sharedExamples, 'sign_mnist.net'));
    assert.equal(result.status, 0);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'Model: "SignMNIST"');
    assert.match(lines[2]!, /^ Layer \(type\) {16}Output Shape {14}Param # {3}$/);
    assert.ok(lines.some((line) => /^ dense \(Dense\) +\(None, 1024\) +803,840 +$/.test(line)));
    assert.ok(lines.includes('Total params: 1,466,136 (5.59 MB)'));
    assert.ok(lines.includes('Trainable params: 1,466,136 (5.59 MB)'));
    assert.ok(lines.includes('Non-trainable params: 0 (0.00 Byte)'));
    assert.ok(!result.stdout.includes('Connected to'));
  });

  it('adds a Connected to column when the model is not a chain', () => {
    const result = run('summary', join(sharedExamples, 'residual.net'));
    assert.match(result.stdout, /Connected to/);
    assert.match(result.stdout, /add \(Add\) +\(None, 128\) +0 +\['dense\[0\]\[0\]',/);
  });

  it('selects one model with --model and prints the same names every time', () => {
    const first = run('summary', join(projectExamples, 'xor.net'), '--model', 'XorMLP');
    const second = run('summary', join(projectExamples, 'xor.net'), '--model', 'XorMLP');
    assert.equal(first.status, 0);
    assert.equal(first.stdout, second.stdout);
    assert.equal((first.stdout.match(/^Model:/gm) ?? []).length, 1);
    assert.match(first.stdout, /dense_1 \(Dense\)/);
  });

  it('names the models when --model matches none, and exits 2', () => {
    const result = run('summary', join(projectExamples, 'xor.net'), '--model', 'Nope');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no model 'Nope' \(models: XorLogistic, XorMLP, XorFunctional\)/);
  });

  it('prints errors to stderr and exits 1 for a file with errors', () => {
    const path = join(scratch, 'broken.net');
    writeFileSync(path, 'model M {\n  input [4]\n  Dense(0)\n}\n');
    const result = run('summary', path);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /broken\.net:3:9: error argument-range: Dense units must be at least 1; got 0/);
    assert.match(result.stdout, /Total params: unknown/);
  });
});

describe('layerwise train, runs and export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-cli-train-'));
  const xor = join(dir, 'xor.net');
  writeFileSync(xor, readFileSync(join(projectExamples, 'xor.net'), 'utf8'));

  it('--json prints the protocol as JSON lines', () => {
    const result = run('train', xor, '--json', '--epochs', '20', '--model', 'XorMLP');
    assert.equal(result.status, 0, result.stderr);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(events[0].type, 'started');
    assert.equal(events[0].model, 'XorMLP');
    assert.equal(events.filter((e: { type: string }) => e.type === 'epoch').length, 20);
    assert.equal(events[events.length - 1].type, 'finished');
  });

  it('prints the results table and the run folder, then lists the runs', () => {
    const result = run('train', xor, '--epochs', '5');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Training XorLogistic on wasm/);
    assert.match(result.stdout, /model\s+epochs\s+best\s+loss\s+acc\s+ended/);
    assert.match(result.stdout, /XorMLP\s+5\s+\d+\s+[\d.]+\s+[\d.]+\s+completed/);
    const folder = result.stdout.split('\n').find((line) => line.includes('/XorMLP/'))!.trim();
    const runs = run('runs', xor);
    assert.equal(runs.status, 0);
    assert.ok(runs.stdout.includes(folder), runs.stdout);
    assert.match(runs.stdout, / {2}XorMLP {2}5 epochs {2}completed {2}loss [\d.]+ · acc [\d.]+/);
  });

  it('reports a file with errors at its position and exits 1', () => {
    const broken = join(dir, 'broken.net');
    writeFileSync(broken, 'model M {\n  input [2]\n  Dense(1, activation=sigmoidd)\n}\ntrain M {\n  data = xor()\n  loss = binary_crossentropy\n}\n');
    const result = run('train', broken);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /broken\.net:3:23: error: unknown-activation/);
  });

  it('rejects a bad --backend or --epochs as usage errors', () => {
    assert.equal(run('train', xor, '--backend', 'gpu').status, 2);
    assert.equal(run('train', xor, '--epochs', '0').status, 2);
  });

  it('exports a Keras script and an untrained tfjs model', () => {
    const keras = run('export', 'keras', xor, '--model', 'XorMLP');
    assert.equal(keras.status, 0, keras.stderr);
    assert.match(keras.stdout, /layers\.Dense\(8, activation="relu", name="dense"\)/);
    assert.match(keras.stdout, /keras\.Model\(inputs=.*name="XorMLP"\)/);
    const out = join(dir, 'xor-tfjs');
    const tfjs = run('export', 'tfjs', xor, '--model', 'XorMLP', '--out', out);
    assert.equal(tfjs.status, 0, tfjs.stderr);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(model.modelTopology.config.name, 'XorMLP');
    assert.equal(model.weightsManifest[0].paths[0], 'weights.bin');
    assert.equal(run('export', 'onnx', xor).status, 2);
  });
});

describe('layerwise --help and --version', () => {
  /** Every option each command takes, with a value where it needs one. */
  const OPTIONS: Record<string, [string, ...string[]][]> = {
    check: [['--json']],
    summary: [['--model', 'M']],
    train: [['--model', 'M'], ['--epochs', '1'], ['--backend', 'cpu'], ['--block', '1'], ['--json']],
    runs: [],
    export: [['--model', 'M'], ['--out', join(scratch, 'out')]],
    lsp: [['--stdio'], ['--node-ipc'], ['--socket=PORT'], ['--pipe=NAME']],
  };

  for (const [command, options] of Object.entries(OPTIONS)) {
    it(`${command} --help describes the command and lists each of its options`, () => {
      const result = runDist(command, '--help');
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
      const lines = result.stdout.split('\n');
      assert.match(lines[0]!, new RegExp(`^usage: layerwise ${command}\\b`));
      const listed = lines.slice(lines.indexOf('options:') + 1).filter((line) => line.startsWith('  ')).map((line) => line.trim().split(/\s{2,}/)[0]!);
      // The option column: its name, then the value it takes (--model NAME).
      assert.deepEqual(listed.map((column) => (column === '-h, --help' ? column : column.split(' ')[0])), [...options.map(([option]) => option), '-h, --help']);
      for (const line of lines.filter((line) => line.startsWith('  '))) assert.match(line, /\S {2,}\S/, `an option without its meaning: ${line}`);
      // The same text from `help COMMAND`, from -h, and with --help after other arguments.
      assert.equal(runDist('help', command).stdout, result.stdout);
      assert.equal(runDist(command, '-h').stdout, result.stdout);
      assert.equal(runDist(command, 'file.net', '--help').stdout, result.stdout);
    });
  }

  it('every option a command lists is one it accepts, and others are usage errors', () => {
    const missing = join(scratch, 'missing.net');
    for (const [command, options] of Object.entries(OPTIONS)) {
      if (command === 'lsp') continue; // it would start serving
      const positionals = command === 'export' ? ['keras', missing] : [missing];
      for (const option of options) {
        const result = runDist(command, ...positionals, ...option);
        assert.doesNotMatch(result.stderr, /Unknown option|unknown option/i, `${command} ${option.join(' ')}`);
        assert.match(result.stderr, /cannot read '.*missing\.net': no such file/, `${command} ${option.join(' ')}: ${result.stderr}`);
      }
      const unknown = runDist(command, ...positionals, '--frobnicate');
      assert.equal(unknown.status, 2, command);
      assert.match(unknown.stderr, /Unknown option '--frobnicate'/, command);
    }
  });

  it('export keras --help and export tfjs --help are the help of export', () => {
    const help = runDist('export', '--help').stdout;
    assert.match(help, /^usage: layerwise export keras\|tfjs FILE/);
    for (const args of [['keras', '--help'], ['tfjs', 'file.net', '--help']]) {
      const result = runDist('export', ...args);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, help);
    }
  });

  it('--version prints the package\'s version and exits 0', () => {
    const { version } = JSON.parse(read(join(repoRoot, 'package.json'))) as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = runDist(flag);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, `${version}\n`);
    }
    assert.equal(run('--version').stdout, `${version}\n`, 'also from the compiled sources');
  });

  it('the overview names --help and --version; help of an unknown command is a usage error', () => {
    const overview = runDist('--help');
    assert.equal(overview.status, 0);
    assert.match(overview.stdout, /layerwise COMMAND --help/);
    assert.match(overview.stdout, /layerwise --version/);
    const unknown = runDist('help', 'frobnicate');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  });
});
