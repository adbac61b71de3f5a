// Lint rules, and the layer table of ARCHITECTURE.md as import restrictions:
// a wrong import fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const folders = ['core', 'host', 'server', 'trainer', 'client', 'webview', 'protocol', 'cli'];

/** Relative imports of the given project folders, at any depth. */
const folderPatterns = (names) => names.flatMap((name) => [`**/${name}`, `**/${name}/**`]);

const node = ['node:*', 'fs', 'fs/*', 'path', 'child_process', 'os', 'net', 'http', 'https', 'worker_threads', 'process'];
const tfjs = ['@tensorflow/*'];
const vscode = ['vscode', 'vscode-languageclient', 'vscode-languageclient/*'];
const lsp = ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-textdocument', 'vscode-jsonrpc', 'vscode-jsonrpc/*'];

/** What each layer may not import: everything its row of the table leaves out. */
const layers = {
  core: { message: 'The language core is pure: no vscode, LSP, tfjs, file system, or other project layer.', forbid: [...node, ...tfjs, ...vscode, ...lsp, ...folderPatterns(folders.filter((f) => f !== 'core'))] },
  protocol: { message: 'The protocol imports nothing.', forbid: [...node, ...tfjs, ...vscode, ...lsp, ...folderPatterns(folders.filter((f) => f !== 'protocol'))] },
  host: { message: 'The host gives the core Node\'s file system and reads run folders: it imports the core\'s facade and the protocol only.', forbid: [...tfjs, ...vscode, ...lsp, '**/core/*', ...folderPatterns(folders.filter((f) => f !== 'core' && f !== 'host' && f !== 'protocol'))] },
  server: { message: 'The server imports only the core\'s facade, the host and vscode-languageserver.', forbid: [...tfjs, ...vscode, '**/core/*', ...folderPatterns(['trainer', 'client', 'webview', 'cli'])] },
  trainer: { message: 'The trainer imports the core, tfjs and the protocol only.', forbid: [...vscode, ...lsp, ...folderPatterns(['server', 'client', 'webview', 'cli'])] },
  // The two exceptions import only Node and the protocol: the handle that starts a trainer process, and the panel page's HTML.
  client: {
    message: 'The client imports vscode, vscode-languageclient, the protocol, trainer/process and webview/html only.',
    forbid: [...tfjs, ...lsp, ...folderPatterns(['core', 'server', 'cli'])],
    forbidRegex: '(^|/)(trainer(/(?!process$).*)?|webview(/(?!html$).*)?)$',
  },
  webview: { message: 'The webview imports the protocol and UI libraries only.', forbid: [...node, ...tfjs, ...vscode, ...lsp, ...folderPatterns(['core', 'server', 'trainer', 'client', 'cli'])] },
  cli: { message: 'The command line imports the core, the host, the trainer and the server\'s entry only.', forbid: [...vscode, ...lsp, ...folderPatterns(['client', 'webview'])] },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.cache/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...Object.entries(layers).map(([folder, { message, forbid, forbidRegex }]) => ({
    files: [`${folder}/**/*.ts`, `${folder}/**/*.mts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: forbid, message }, ...(forbidRegex ? [{ regex: forbidRegex, message }] : [])] }],
    },
  })),
  {
    files: ['**/*.mjs', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
