// Lint rules, and the layer table of ARCHITECTURE.md as import restrictions:
// a wrong import fails `npm test`. `test/lint.test.ts` gives every rule an
// import it refuses and imports its row allows.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const folders = ['core', 'host', 'server', 'trainer', 'client', 'webview', 'protocol', 'cli'];

/** Relative imports of the given project folders, at any depth. */
const folderPatterns = (names) => names.flatMap((name) => [`**/${name}`, `**/${name}/**`]);
/** Every project folder but the given ones. */
const foldersBut = (...allowed) => folderPatterns(folders.filter((f) => !allowed.includes(f)));

/**
 * A regex refusing every package (a specifier not starting with '.') but the
 * given ones: each is a regex source for the whole specifier. Node's own
 * modules are named with `node:`.
 */
const packagesBut = (...allowed) => `^(?!\\.)${allowed.length ? `(?!(${allowed.join('|')})$)` : ''}`;
const NODE = 'node:.*';
const TFJS = '@tensorflow/.*';

/**
 * Each rule is one row of the layer table (or of the core's inner table):
 * what its files may not import. The message states the row.
 */
const rules = {
  core: {
    message: 'The language core is pure: it imports no other layer and no package but fastest-levenshtein (no Node, vscode, LSP or tfjs).',
    group: foldersBut('core'),
    regex: packagesBut('fastest-levenshtein'),
  },
  protocol: { message: 'The protocol imports nothing but its own modules.', regex: '^(?!\\./)' },
  host: {
    message: "The host imports the core's facade, the protocol, Node and csv-parse only.",
    group: ['**/core/*', '**/core/**', ...foldersBut('core', 'host', 'protocol')],
    regex: packagesBut(NODE, 'csv-parse(/.*)?'),
  },
  server: {
    message: "The server imports the core's facade, the host, the protocol, Node, vscode-languageserver and vscode-uri only.",
    group: ['**/core/*', '**/core/**', ...foldersBut('core', 'host', 'protocol', 'server')],
    regex: packagesBut(NODE, 'vscode-languageserver(/.*)?', 'vscode-languageserver-textdocument', 'vscode-uri'),
  },
  trainer: {
    message: "The trainer imports the core's facade, the host (to check its file against the data files), the protocol, Node, tfjs, csv-parse, seedrandom, env-paths, and pngjs and jpeg-js (images) only.",
    group: ['**/core/*', '**/core/**', ...foldersBut('core', 'host', 'protocol', 'trainer')],
    regex: packagesBut(NODE, TFJS, 'csv-parse(/.*)?', 'seedrandom', 'env-paths', 'pngjs', 'jpeg-js'),
  },
  client: {
    message: 'The client imports vscode, vscode-languageclient, Node, the protocol, trainer/process, trainer/install and webview/html only.',
    group: foldersBut('client', 'protocol', 'trainer', 'webview'),
    regex: `(^|/)(trainer(/(?!(process|install)$).*)?|webview(/(?!html$).*)?)$|${packagesBut(NODE, 'vscode', 'vscode-languageclient(/.*)?')}`,
  },
  webview: {
    message: 'The webview imports the protocol and its UI, chart and graph libraries (@vscode/webview-ui-toolkit, uplot, elkjs, d3-zoom, d3-selection) only.',
    group: foldersBut('webview', 'protocol'),
    regex: packagesBut('@vscode/webview-ui-toolkit(/.*)?', 'uplot(/.*)?', 'elkjs(/.*)?', 'd3-zoom', 'd3-selection'),
  },
  bridge: {
    message: 'trainer/process, trainer/install and webview/html, the modules the client imports from other layers, import only Node and the protocol.',
    regex: `^\\.(?!\\./protocol(/|$))|${packagesBut(NODE)}`,
  },
  cli: {
    message: "The command line imports the core's facade, the host, the trainer, the protocol, the server's entry (server/main), Node and cli-progress only.",
    group: ['**/core/*', '**/core/**', ...foldersBut('cli', 'core', 'host', 'trainer', 'protocol', 'server')],
    regex: `(^|/)server/(?!main$)|${packagesBut(NODE, 'cli-progress')}`,
  },

  // The core's inner layers: syntax, catalogs, analysis, features, facade; each imports only those before it.
  facade: {
    message: 'No module of the core imports its facade (core/index): import the module that defines the name.',
    regex: '^\\.{1,2}/?$|(^|/)(index|core)/?$',
  },
  syntax: {
    message: 'core/syntax/ imports only itself, core/diagnostics and core/suggest.',
    regex: '^\\.\\./(?!(diagnostics|suggest)$)',
  },
  syntaxLeaves: {
    message: 'core/diagnostics and core/suggest import only each other and core/syntax/.',
    regex: '^\\.(?!/(syntax/[^/]+|diagnostics|suggest)$)',
  },
  catalog: {
    message: 'core/catalog/ imports only itself, the syntax tree (core/syntax/tree), core/diagnostics and core/suggest.',
    regex: '^\\.\\./(?!(syntax/tree|diagnostics|suggest)$)',
  },
  analysis: {
    message: 'The analysis (core/*.ts: binder, shapes, train, summary, analysis) imports the syntax layer, the catalogs and itself, never core/features/.',
    regex: '^\\./features(/|$)',
  },
};

const sources = (folder) => [`${folder}/**/*.ts`, `${folder}/**/*.mts`];

/**
 * Which rules hold where. A later entry replaces an earlier one's options
 * for the files both cover, so each lists every rule its files keep.
 */
const scopes = [
  { files: sources('core'), rules: ['core'] },
  { files: sources('core/syntax'), rules: ['core', 'facade', 'syntax'] },
  { files: ['core/diagnostics.ts', 'core/suggest.ts'], rules: ['core', 'facade', 'syntaxLeaves'] },
  { files: sources('core/catalog'), rules: ['core', 'facade', 'catalog'] },
  { files: ['core/*.ts'], ignores: ['core/index.ts', 'core/diagnostics.ts', 'core/suggest.ts'], rules: ['core', 'facade', 'analysis'] },
  { files: sources('core/features'), rules: ['core', 'facade'] },
  ...['protocol', 'host', 'server', 'trainer', 'client', 'webview', 'cli'].map((folder) => ({ files: sources(folder), rules: [folder] })),
  { files: ['trainer/process.ts', 'trainer/install.ts', 'webview/html.ts'], rules: ['bridge'] },
];

const patternsOf = ({ message, group, regex }) => [...(group ? [{ group, message }] : []), ...(regex ? [{ regex, message }] : [])];

const layerConfigs = scopes.map(({ files, ignores, rules: names }) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: { 'no-restricted-imports': ['error', { patterns: names.flatMap((name) => patternsOf(rules[name])) }] },
}));

/** For the test: each rule's message, by name. */
export const LAYER_MESSAGES = Object.fromEntries(Object.entries(rules).map(([name, { message }]) => [name, message]));

export default tseslint.config(
  // wasm/ is AssemblyScript, which its own compiler checks (npm run wasm).
  { ignores: ['node_modules/', 'out/', 'dist/', '.cache/', 'test/fixtures/', 'wasm/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...layerConfigs,
  {
    files: ['**/*.mjs', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
