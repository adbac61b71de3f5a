/**
 * The `layerwise` command: check and summarise .net files.
 * Exit codes: 0 without errors, 1 with errors, 2 on usage or I/O problems.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze, formatSummary, type Analysis } from '../core';
import { createFileDataHost } from '../host/fileDataHost';
import { main as startLanguageServer } from '../server/main';
import { listRuns, runsDirOf } from '../host/runs';
import { exportKeras } from './exportKeras';
import { parseBackend, train } from './train';
import { toJsonReport, formatDiagnosticLine } from './report';

const USAGE = `usage: layerwise <command> [options]

commands:
  check [--json] FILE...        check .net files and print their diagnostics
  summary FILE [--model NAME]   print each model's summary as Keras's model.summary() does
  train FILE [--model NAME] [--epochs N] [--backend B] [--block N] [--json]
                                train a file's train block in a process of its own
  runs FILE                     list the earlier runs of a file's models
  export keras FILE [--model NAME] [--out FILE.py]
                                write an equivalent Keras (Python, Functional API) script
  export tfjs FILE [--model NAME] [--out DIR]
                                write the untrained model as TensorFlow.js model.json + weights
  lsp --stdio                   serve the Language Server Protocol on stdin/stdout, for any editor

exit status: 0 without errors, 1 with errors, 2 on usage or I/O problems`;

class UsageError extends Error {}

/** Runs a command; 'serving' when it keeps the process running (the language server). */
export async function main(argv: string[], out: (text: string) => void, err: (text: string) => void): Promise<number | 'serving'> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return check(rest, out, err);
      case 'summary':
        return summary(rest, out, err);
      case 'lsp':
        return lsp(rest);
      case 'train':
        return await trainCommand(rest, out, err);
      case 'runs':
        return runs(rest, out, err);
      case 'export':
        return await exportCommand(rest, out, err);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      err(`layerwise: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && ((error as unknown as { code: string }).code).startsWith('ERR_PARSE_ARGS');
}

/** Reads and analyses one file; undefined (after a message) when it cannot be read. */
function load(path: string, err: (text: string) => void): Analysis | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    err(`layerwise: cannot read '${path}': ${reason}\n`);
    return undefined;
  }
  return analyze(text, { host: createFileDataHost(path) });
}

function check(args: string[], out: (text: string) => void, err: (text: string) => void): number {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
  let ioFailed = false;
  let hasErrors = false;
  const analyses: { path: string; analysis: Analysis }[] = [];
  for (const path of positionals) {
    const analysis = load(path, err);
    if (!analysis) {
      ioFailed = true;
      continue;
    }
    analyses.push({ path, analysis });
    if (analysis.diagnostics.some((d) => d.severity === 'error')) hasErrors = true;
  }
  if (values.json) {
    out(JSON.stringify(toJsonReport(analyses)) + '\n');
  } else {
    for (const { path, analysis } of analyses) {
      for (const diagnostic of analysis.diagnostics) out(formatDiagnosticLine(path, analysis, diagnostic) + '\n');
    }
  }
  return ioFailed ? 2 : hasErrors ? 1 : 0;
}

function summary(args: string[], out: (text: string) => void, err: (text: string) => void): number {
  const { values, positionals } = parseArgs({ args, options: { model: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('summary needs exactly one FILE');
  const path = positionals[0]!;
  const analysis = load(path, err);
  if (!analysis) return 2;
  const networks = analysis.models.map((model) => model.network);
  const chosen = values.model === undefined ? networks : networks.filter((network) => network.name === values.model);
  if (chosen.length === 0) {
    const names = networks.map((network) => network.name).join(', ') || 'none';
    err(values.model === undefined ? `layerwise: '${path}' defines no model\n` : `layerwise: '${path}' has no model '${values.model}' (models: ${names})\n`);
    return 2;
  }
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  for (const diagnostic of errors) err(formatDiagnosticLine(path, analysis, diagnostic) + '\n');
  out(chosen.map(formatSummary).join('\n'));
  return errors.length ? 1 : 0;
}

async function trainCommand(args: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { model: { type: 'string' }, epochs: { type: 'string' }, backend: { type: 'string' }, block: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('train needs exactly one FILE');
  const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1)) throw new UsageError(`--epochs must be a whole number ≥ 1; got '${values.epochs}'`);
  const block = values.block === undefined ? undefined : Number(values.block);
  if (block !== undefined && !(Number.isInteger(block) && block >= 1)) throw new UsageError(`--block must be a whole number ≥ 1; got '${values.block}'`);
  try {
    parseBackend(values.backend);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!existsSync(positionals[0]!)) {
    err(`layerwise: cannot read '${positionals[0]}': no such file\n`);
    return 2;
  }
  return train({ file: positionals[0]!, model: values.model, epochs, backend: values.backend, block: block === undefined ? undefined : block - 1, json: values.json ?? false }, out, err);
}

function runs(args: string[], out: (text: string) => void, err: (text: string) => void): number {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('runs needs exactly one FILE');
  const listing = listRuns(runsDirOf(resolve(positionals[0]!)));
  if (listing.length === 0) {
    err(`layerwise: no runs yet for '${positionals[0]}'\n`);
    return 0;
  }
  for (const run of listing) {
    const metrics = Object.entries(run.metrics ?? {}).map(([key, value]) => `${key} ${value.toFixed(4)}`).join(' · ');
    out(`${run.startedAt}  ${run.model}  ${run.epochs} epochs  ${run.reason ?? 'unfinished'}  ${metrics}\n    ${run.dir}\n`);
  }
  return 0;
}

async function exportCommand(args: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { model: { type: 'string' }, out: { type: 'string' } }, allowPositionals: true });
  const [format, path] = positionals;
  if ((format !== 'keras' && format !== 'tfjs') || path === undefined || positionals.length !== 2) throw new UsageError('export needs a format (keras or tfjs) and one FILE');
  const analysis = load(path, err);
  if (!analysis) return 2;
  // A model with errors has no faithful translation: report them instead.
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const diagnostic of errors) err(formatDiagnosticLine(path, analysis, diagnostic) + '\n');
    return 1;
  }
  const networks = analysis.models.map((model) => model.network);
  const network = values.model === undefined ? networks[0] : networks.find((candidate) => candidate.name === values.model);
  if (!network) {
    err(`layerwise: '${path}' has no model${values.model ? ` '${values.model}'` : ''} (models: ${networks.map((n) => n.name).join(', ') || 'none'})\n`);
    return 2;
  }
  if (format === 'keras') {
    const block = analysis.trainBlocks.find((candidate) => candidate.models.includes(network));
    const script = exportKeras(network, block, basename(path));
    if (values.out) {
      writeFileSync(values.out, script);
      out(`wrote ${values.out}\n`);
    } else out(script);
    return 0;
  }
  const dir = values.out ?? join(dirname(path), `${network.name}.tfjs`);
  const { exportTfjs } = await import('./exportTfjs.js');
  const files = await exportTfjs(network, dir);
  out(`wrote ${files.modelJson} and ${files.weights}\n`);
  return 0;
}

function lsp(args: string[]): 'serving' {
  const transports = ['--stdio', '--node-ipc', '--socket', '--pipe'];
  if (!args.some((arg) => transports.some((transport) => arg === transport || arg.startsWith(`${transport}=`)))) {
    throw new UsageError('lsp needs a transport, e.g. lsp --stdio');
  }
  startLanguageServer(args);
  return 'serving';
}

if (require.main === module) {
  main(process.argv.slice(2), (text) => process.stdout.write(text), (text) => process.stderr.write(text)).then(
    (result) => {
      if (result !== 'serving') process.exitCode = result;
    },
    (error: unknown) => {
      process.stderr.write(`layerwise: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
