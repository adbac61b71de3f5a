/**
 * The `layerwise` command: check and summarise .net files.
 * Exit codes: 0 without errors, 1 with errors, 2 on usage or I/O problems.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyze, formatSummary, type Analysis } from '../core';
import { createFileDataHost } from '../host/fileDataHost';
import { main as startLanguageServer } from '../server/main';
import { toJsonReport, formatDiagnosticLine } from './report';

const USAGE = `usage: layerwise <command> [options]

commands:
  check [--json] FILE...        check .net files and print their diagnostics
  summary FILE [--model NAME]   print each model's summary as Keras's model.summary() does
  lsp --stdio                   serve the Language Server Protocol on stdin/stdout, for any editor

exit status: 0 without errors, 1 with errors, 2 on usage or I/O problems`;

class UsageError extends Error {}

/** Runs a command; 'serving' when it keeps the process running (the language server). */
export function main(argv: string[], out: (text: string) => void, err: (text: string) => void): number | 'serving' {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return check(rest, out, err);
      case 'summary':
        return summary(rest, out, err);
      case 'lsp':
        return lsp(rest);
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

function lsp(args: string[]): 'serving' {
  const transports = ['--stdio', '--node-ipc', '--socket', '--pipe'];
  if (!args.some((arg) => transports.some((transport) => arg === transport || arg.startsWith(`${transport}=`)))) {
    throw new UsageError('lsp needs a transport, e.g. lsp --stdio');
  }
  startLanguageServer();
  return 'serving';
}

if (require.main === module) {
  const result = main(process.argv.slice(2), (text) => process.stdout.write(text), (text) => process.stderr.write(text));
  if (result !== 'serving') process.exitCode = result;
}
