/**
 * The `layerwise` command: check, summarise, draw, train and export .net files.
 * Exit codes: 0 without errors, 1 with errors, 2 on usage or I/O problems.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, getModelGraph, type Analysis } from '../core';
import { analyzeWithDataFiles, DataFiles } from '../host/fileDataHost';
import { main as startLanguageServer } from '../server/main';
import { listRuns, runsDirOf } from '../host/runs';
import { RUNS_FOLDER } from '../protocol/history';
import { backendCommand, installCommand } from './backend';
import { exportKeras } from './exportKeras';
import { graphDot, graphJson } from './graph';
import { parseBackend, train } from './train';
import { toJsonReport, formatDiagnosticLine } from './report';

const USAGE = `usage: layerwise <command> [options]

commands:
  check [--json] FILE...        check .net files and print their diagnostics
  summary FILE [--model NAME]   print each model's summary as Keras's model.summary() does
  train FILE [--model NAME] [--epochs N] [--backend B] [--block N] [--native-modules DIR] [--json]
                                train a file's train block in a process of its own
  backend [PATH] [--native-modules DIR]
                                list the TensorFlow.js backends, where each loads from, and why not
  backend install [--gpu]       install @tensorflow/tfjs-node (--gpu: tfjs-node-gpu) into the per-user folder
  runs FILE                     list the earlier runs of a file's models
  graph FILE [--model NAME] [--json|--dot]
                                print a model's graph: layers with shapes and params, and the tensors between them
  export keras FILE [--model NAME] [--out FILE.py]
                                write an equivalent Keras (Python, Functional API) script
  export tfjs FILE [--model NAME] [--out DIR]
                                write the untrained model for inference as TensorFlow.js model.json + weights
  lsp --stdio                   serve the Language Server Protocol on stdin/stdout, for any editor

layerwise COMMAND --help (or layerwise help COMMAND) describes a command and its options;
layerwise --version prints the version.

exit status: 0 without errors, 1 with errors, 2 on usage or I/O problems`;

/** What `layerwise COMMAND --help` prints: the command's usage, what it does, and every option it takes. */
interface CommandHelp {
  usage: string;
  description: string;
  options: [option: string, meaning: string][];
}

const HELP_OPTION: [string, string] = ['-h, --help', 'print this help and exit'];

const COMMAND_HELP: Record<string, CommandHelp> = {
  check: {
    usage: 'check [--json] FILE...',
    description: 'Checks .net files and prints their diagnostics as path:line:col: severity code: message.\nExit status: 0 without errors, 1 with errors, 2 on usage or I/O problems.',
    options: [['--json', 'print {"files":[{"path","diagnostics":[…],"models":[…]}]} with 1-based positions instead']],
  },
  summary: {
    usage: 'summary FILE [--model NAME]',
    description: "Prints each model's summary as tf.keras 2's model.summary() does; errors go to stderr (exit status 1).",
    options: [['--model NAME', 'only the model NAME']],
  },
  train: {
    usage: 'train FILE [--model NAME] [--epochs N] [--backend B] [--block N] [--native-modules DIR] [--json]',
    description:
      "Trains the models of a file's train block in a process of its own, with a progress bar per epoch and a table of the final metrics.\n" +
      `Each run is kept in ${RUNS_FOLDER.join('/')}/<model>/<timestamp>/ beside the file;` +
      ' Ctrl-C stops after the current batch and keeps what was trained.',
    options: [
      ['--model NAME', 'train only the model NAME of the block'],
      ['--epochs N', "train N epochs instead of the block's epochs"],
      ['--backend B', 'auto (the default: the fastest that loads), tfjs-node-gpu, tfjs-node, wasm or cpu'],
      ['--block N', "the file's Nth train block (default 1)"],
      ['--native-modules DIR', 'look for @tensorflow/tfjs-node(-gpu) in DIR (a node_modules folder, or one that holds one) first'],
      ['--json', "print the trainer's events as JSON lines"],
    ],
  },
  backend: {
    usage: 'backend [PATH] [--native-modules DIR] | backend install [--gpu]',
    description:
      'Tries every TensorFlow.js backend in the order --backend auto tries them, and prints what each is and where it loads from, or why it does not load.\n' +
      'The native packages are looked for in DIR, then in the node_modules folders from PATH (a .net file or a folder; default: the current folder) upwards,\n' +
      'then in the per-user folder, then beside layerwise. Exit status: 0 when a backend loads, 1 when none does.\n' +
      "install: npm installs the package built for layerwise's TensorFlow.js into the per-user folder (its installer downloads libtensorflow);\n" +
      'a failed or cancelled (Ctrl-C) install leaves the folder as it was. Exit status: 0 when the installed backend loads.',
    options: [
      ['--native-modules DIR', 'look for @tensorflow/tfjs-node(-gpu) in DIR first'],
      ['--gpu', 'install: @tensorflow/tfjs-node-gpu (CUDA) instead of @tensorflow/tfjs-node'],
    ],
  },
  runs: {
    usage: 'runs FILE',
    description: "Lists the earlier runs of a file's models: when, how many epochs, how each ended, its last metrics and its folder.",
    options: [],
  },
  graph: {
    usage: 'graph FILE [--model NAME] [--json|--dot]',
    description:
      "Prints a model's graph: one node per input and layer (its type, name, output shape, parameters and errors) and an edge per tensor.\n" +
      'Exit status: 0 without errors in the file, 1 with errors (the graph is printed all the same), 2 on usage or I/O problems.',
    options: [
      ['--model NAME', "the model NAME (default: the file's first)"],
      ['--json', 'print {"model","params","nodes":[{"id","name","type","outputShape","params","line",…}],"edges":[{"from","to","shape"}]} with 1-based lines (the default)'],
      ['--dot', 'print Graphviz DOT (render it with dot -Tsvg); layers with errors in red'],
    ],
  },
  export: {
    usage: 'export keras|tfjs FILE [--model NAME] [--out PATH]',
    description:
      'keras: writes an equivalent tf.keras 2 script (Python, Functional API), with the train block as compile() and a commented fit().\n' +
      'tfjs: writes the untrained model for inference as TensorFlow.js model.json + weights.bin, in stock layers only (see the README).',
    options: [
      ['--model NAME', "the model NAME (default: the file's first)"],
      ['--out PATH', 'keras: the script file (default: standard output); tfjs: the folder (default: <model>.tfjs beside the file)'],
    ],
  },
  lsp: {
    usage: 'lsp --stdio',
    description: 'Serves the Language Server Protocol, for any editor; the same server as layerwise-language-server.',
    options: [
      ['--stdio', 'talk over standard input and output'],
      ['--node-ipc', "talk over Node's IPC channel (a parent that forked this process)"],
      ['--socket=PORT', 'connect to a socket on PORT'],
      ['--pipe=NAME', 'connect to the named pipe NAME'],
    ],
  },
};

/** The help of one command, its options aligned. */
function commandHelp(command: string): string {
  const help = COMMAND_HELP[command]!;
  const options = [...help.options, HELP_OPTION];
  const width = Math.max(...options.map(([option]) => option.length)) + 2;
  return [`usage: layerwise ${help.usage}`, '', help.description, '', 'options:', ...options.map(([option, meaning]) => `  ${option.padEnd(width)}${meaning}`), ''].join('\n');
}

/** Whether the arguments ask for help: -h or --help before any `--`. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** The package's version, from the package.json above this script: dist/ in a package, out/cli/ in a checkout. */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'layerwise' && typeof manifest.version === 'string') return manifest.version;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of layerwise above ${__dirname}`);
  }
}

class UsageError extends Error {}

/** Runs a command; 'serving' when it keeps the process running (the language server). */
export async function main(argv: string[], out: (text: string) => void, err: (text: string) => void): Promise<number | 'serving'> {
  const [command, ...rest] = argv;
  try {
    const help = helpOrVersion(command, rest);
    if (help !== undefined) {
      out(help);
      return 0;
    }
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
      case 'backend':
        return await backendArgs(rest, out, err);
      case 'export':
        return await exportCommand(rest, out, err);
      case 'graph':
        return await graphCommand(rest, out, err);
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

/** The text of `--version`, `COMMAND --help` or `help COMMAND`; undefined for any other command line. */
function helpOrVersion(command: string | undefined, rest: string[]): string | undefined {
  if (command === '--version' || command === '-v') return `${packageVersion()}\n`;
  if (command === 'help' && rest.length > 0) {
    if (!Object.hasOwn(COMMAND_HELP, rest[0]!)) throw new UsageError(`unknown command '${rest[0]}'`);
    return commandHelp(rest[0]!);
  }
  if (command !== undefined && Object.hasOwn(COMMAND_HELP, command) && asksForHelp(rest)) return commandHelp(command);
  return undefined;
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && ((error as unknown as { code: string }).code).startsWith('ERR_PARSE_ARGS');
}

/**
 * Reads and analyses one file, with the data files it names read first (off
 * the event loop, bounded), so that the output is complete and the same
 * every time; undefined (after a message) when the file cannot be read.
 */
async function load(path: string, err: (text: string) => void, dataFiles = new DataFiles()): Promise<Analysis | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    err(`layerwise: cannot read '${path}': ${reason}\n`);
    return undefined;
  }
  return analyzeWithDataFiles(text, path, dataFiles);
}

/** Arguments are checked at once (a usage error is thrown here); the files are read after. */
function check(args: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
  return checkFiles(positionals, values.json ?? false, out, err);
}

async function checkFiles(positionals: string[], json: boolean, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let ioFailed = false;
  let hasErrors = false;
  const analyses: { path: string; analysis: Analysis }[] = [];
  // Files that name the same data file share its reading.
  const dataFiles = new DataFiles();
  for (const path of positionals) {
    const analysis = await load(path, err, dataFiles);
    if (!analysis) {
      ioFailed = true;
      continue;
    }
    analyses.push({ path, analysis });
    if (analysis.diagnostics.some((d) => d.severity === 'error')) hasErrors = true;
  }
  if (json) {
    out(JSON.stringify(toJsonReport(analyses)) + '\n');
  } else {
    for (const { path, analysis } of analyses) {
      for (const diagnostic of analysis.diagnostics) out(formatDiagnosticLine(path, analysis, diagnostic) + '\n');
    }
  }
  return ioFailed ? 2 : hasErrors ? 1 : 0;
}

/** Arguments are checked at once (a usage error is thrown here); the file is read after. */
function summary(args: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { model: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('summary needs exactly one FILE');
  return summarise(positionals[0]!, values.model, out, err);
}

async function summarise(path: string, model: string | undefined, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const analysis = await load(path, err);
  if (!analysis) return 2;
  const networks = analysis.models.map((model) => model.network);
  const chosen = model === undefined ? networks : networks.filter((network) => network.name === model);
  if (chosen.length === 0) {
    const names = networks.map((network) => network.name).join(', ') || 'none';
    err(model === undefined ? `layerwise: '${path}' defines no model\n` : `layerwise: '${path}' has no model '${model}' (models: ${names})\n`);
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
    options: { model: { type: 'string' }, epochs: { type: 'string' }, backend: { type: 'string' }, block: { type: 'string' }, 'native-modules': { type: 'string' }, json: { type: 'boolean' } },
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
  const options = { file: positionals[0]!, model: values.model, epochs, backend: values.backend, block: block === undefined ? undefined : block - 1, json: values.json ?? false };
  return train({ ...options, nativeModules: values['native-modules'] }, out, err);
}

async function backendArgs(args: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { 'native-modules': { type: 'string' }, gpu: { type: 'boolean' } }, allowPositionals: true });
  if (positionals[0] === 'install') {
    if (positionals.length > 1 || values['native-modules'] !== undefined) throw new UsageError('backend install takes only --gpu');
    return installCommand(values.gpu ?? false, out, err);
  }
  if (positionals.length > 1) throw new UsageError('backend takes at most one PATH');
  if (positionals[0] !== undefined && !existsSync(positionals[0])) {
    err(`layerwise: cannot read '${positionals[0]}': no such file or folder\n`);
    return 2;
  }
  if (values.gpu) throw new UsageError('--gpu goes with backend install');
  return backendCommand(positionals[0], values['native-modules'], out);
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
  const analysis = await load(path, err);
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

async function graphCommand(args: string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { model: { type: 'string' }, json: { type: 'boolean' }, dot: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('graph needs exactly one FILE');
  if (values.json && values.dot) throw new UsageError('graph takes one of --json and --dot');
  const path = positionals[0]!;
  const analysis = await load(path, err);
  if (!analysis) return 2;
  const graph = getModelGraph(analysis, { model: values.model });
  if (!graph) {
    const names = analysis.models.map((model) => model.network.name).join(', ') || 'none';
    err(values.model === undefined ? `layerwise: '${path}' defines no model\n` : `layerwise: '${path}' has no model '${values.model}' (models: ${names})\n`);
    return 2;
  }
  out(values.dot ? graphDot(graph) : JSON.stringify(graphJson(graph, analysis)) + '\n');
  return analysis.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
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
