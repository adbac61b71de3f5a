/**
 * `npm run bench`: the project's speed figures, each as a ratio against a
 * reference measured in the same run.
 */
import { measureCheckSpeed } from './checkSpeed';

async function main(): Promise<void> {
  const check = await measureCheckSpeed(2000);
  console.log('Checking a generated model (full analysis: parse, bind, shapes, params)');
  console.log(`  layers                 ${check.layers}`);
  console.log(`  .net size              ${(check.bytes / 1024).toFixed(1)} KiB; Keras JSON ${(check.jsonBytes / 1024).toFixed(1)} KiB`);
  console.log(`  check, median          ${check.checkMedianMs.toFixed(2)} ms`);
  console.log(`  JSON.parse, median     ${check.parseMedianMs.toFixed(2)} ms`);
  console.log(`  ratio                  ${check.ratio.toFixed(2)}× (target ≤ 5×)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
