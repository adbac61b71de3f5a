/**
 * `npm run bench`: the project's speed figures, each beside a reference
 * measured in the same run.
 */
import { measureCheckSpeed } from './checkSpeed';
import { measureLspSpeed } from './lspSpeed';

async function main(): Promise<void> {
  const check = await measureCheckSpeed(2000);
  console.log('Checking a generated model (full analysis: parse, bind, shapes, params)');
  console.log(`  layers                    ${check.layers}`);
  console.log(`  .net size                 ${(check.bytes / 1024).toFixed(1)} KiB; Keras JSON ${(check.jsonBytes / 1024).toFixed(1)} KiB`);
  console.log(`  check, median             ${check.checkMedianMs.toFixed(2)} ms`);
  console.log(`  JSON.parse, median        ${check.parseMedianMs.toFixed(2)} ms`);
  console.log(`  ratio                     ${check.ratio.toFixed(2)}× (target ≤ 5×)`);

  const lsp = await measureLspSpeed(2000);
  console.log('Language server over stdio, on the same file');
  console.log(`  in-process check, median  ${lsp.checkMs.toFixed(2)} ms (reference)`);
  console.log(`  edit → diagnostics        ${lsp.diagnosticsMs.toFixed(2)} ms median (target ≤ 50 ms; ${(lsp.diagnosticsMs / lsp.checkMs).toFixed(1)}× the check)`);
  console.log(`  hover                     ${lsp.hoverMs.toFixed(2)} ms median (target ≤ 5 ms)`);
  console.log(`  completion                ${lsp.completionMs.toFixed(2)} ms median (target ≤ 5 ms)`);
  console.log(`  server resident memory    ${lsp.rssMiB.toFixed(0)} MiB`);
  console.log(`  server start → initialize ${lsp.startMs.toFixed(0)} ms median`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
