/**
 * Language-server figures through a real stdio connection, on the generated
 * 2,000-layer file: edit-to-diagnostics, hover and completion latency, and
 * the server's resident memory. The in-process check time of the same file
 * is the reference measured in the same run.
 */
import { readFileSync } from 'node:fs';
import { CompletionRequest, HoverRequest } from 'vscode-languageserver-protocol/node';
import { analyze } from '../core';
import { LspClient } from '../test/lsp/client';
import { generateLargeModel } from './checkSpeed';

export interface LspSpeed {
  layers: number;
  checkMs: number;
  diagnosticsMs: number;
  hoverMs: number;
  completionMs: number;
  rssMiB: number;
  /** From spawning the server to its answer to `initialize`. */
  startMs: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function time<T>(action: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

export async function measureLspSpeed(layerCount = 2000, rounds = 40): Promise<LspSpeed> {
  const text = generateLargeModel(layerCount);
  const lines = text.split('\n');
  const uri = 'file:///bench/large.net';

  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const starting = new LspClient();
    starts.push(await time(() => starting.initialize()));
    await starting.stop();
  }

  const checks: number[] = [];
  for (let i = 0; i < 20; i++) checks.push(await time(async () => void analyze(text)));

  const client = new LspClient();
  try {
    await client.initialize();
    const first = client.diagnostics(uri, 1, 60_000);
    await client.open(uri, text);
    await first;

    // Edits in the middle of the file: a Dense's units go 256 → 255 → 256 …
    const denseLines = lines.map((line, i) => (line.includes('Dense(256, activation=relu)') ? i : -1)).filter((i) => i >= 0);
    const diagnostics: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const line = denseLines[(denseLines.length >> 1) + (i % 10)]!;
      const character = lines[line]!.indexOf('Dense(256') + 'Dense(25'.length;
      const digit = i % 2 === 0 ? '5' : '6';
      diagnostics.push(
        await time(async () => {
          const version = await client.change(uri, [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: digit }]);
          await client.diagnostics(uri, version);
        }),
      );
      lines[line] = lines[line]!.slice(0, character) + digit + lines[line]!.slice(character + 1);
    }

    const textDocument = { uri };
    const hovers: number[] = [];
    const completions: number[] = [];
    for (let i = 0; i < rounds * 5; i++) {
      const line = denseLines[(i * 37) % denseLines.length]!;
      const character = lines[line]!.indexOf('Dense(') + 2;
      hovers.push(await time(() => client.connection.sendRequest(HoverRequest.type, { textDocument, position: { line, character } })));
      const afterParen = lines[line]!.indexOf('Dense(') + 'Dense('.length;
      completions.push(await time(() => client.connection.sendRequest(CompletionRequest.type, { textDocument, position: { line, character: afterParen } })));
    }

    const status = readFileSync(`/proc/${client.process.pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    const layers = analyze(text).models[0]!.network.layers.length - 1;
    return {
      layers,
      checkMs: median(checks),
      diagnosticsMs: median(diagnostics),
      hoverMs: median(hovers),
      completionMs: median(completions),
      rssMiB: rssKiB / 1024,
      startMs: median(starts),
    };
  } finally {
    await client.stop();
  }
}
