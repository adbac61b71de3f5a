/**
 * End to end in a real VS Code: the packaged extension in code-server,
 * driven by headless Chromium through the scenarios a user goes through.
 *
 * `npm test` runs it on code-server 4.100.3 (VS Code 1.100.3, this Node);
 * `npm run test:e2e:latest` on code-server 4.139.1 (VS Code 1.139.1, Node 24),
 * chosen by LAYERWISE_E2E_VSCODE=latest. LAYERWISE_E2E=0 skips it.
 * Screenshots go to test-results/e2e/<version>/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureCodeServer, ensureVsix, gib, log, MemorySampler, missingPrerequisites, selectedVersion, Session, shapeErrorsExample, step, type Installation } from './harness';
import { contextFor, scenarios } from './scenarios';
import { Workbench } from './workbench';

const version = selectedVersion();
const missing = missingPrerequisites(version);
// Under CI a missing prerequisite fails the suite; elsewhere it says why the suite did not run.
const skip = process.env['LAYERWISE_E2E'] === '0' ? 'LAYERWISE_E2E=0' : missing && !process.env['CI'] ? missing : false;

describe(`Layerwise in VS Code ${version.vscode} (${version.label})`, { skip }, () => {
  const started = Date.now();
  let installation: Installation | undefined;
  let session: Session | undefined;
  let workbench: Workbench | undefined;
  let memory: MemorySampler | undefined;
  let suiteStarted = 0;

  before(async () => {
    if (missing) throw new Error(missing);
    const vsix = ensureVsix();
    installation = await ensureCodeServer(version);
    log(installation.installSeconds > 0 ? `installed ${version.label} in ${installation.installSeconds.toFixed(0)} s` : `reusing ${version.label} from the cache`);
    suiteStarted = Date.now();
    memory = new MemorySampler();
    session = new Session({ installation, extraFiles: { 'shape_errors.net': shapeErrorsExample } });
    await session.start(vsix);
    const page = await session.openBrowser();
    workbench = new Workbench(page, `http://127.0.0.1:${session.port}/?folder=${encodeURIComponent(session.workspace)}`, session.resultsDir);
    await step(session, 'startup', 'load the workbench', 90_000, () => workbench!.open());
  }, { timeout: 20 * 60_000 });

  after(async () => {
    const left = (await session?.close()) ?? [];
    memory?.stop();
    const ended = Date.now();
    const metrics = {
      version: version.label,
      vscode: version.vscode,
      installSeconds: installation?.installSeconds ?? 0,
      suiteSeconds: suiteStarted ? (ended - suiteStarted) / 1000 : 0,
      totalSeconds: (ended - started) / 1000,
      peakRssBytes: memory?.peakRss ?? 0,
      peakAnonBytes: memory?.peakAnon ?? 0,
      peakProcesses: memory?.peakProcesses ?? 0,
    };
    log(`${version.label}: install ${metrics.installSeconds.toFixed(0)} s${metrics.installSeconds ? '' : ' (cached)'}, suite ${metrics.suiteSeconds.toFixed(1)} s, total ${metrics.totalSeconds.toFixed(1)} s wall`);
    log(`${version.label}: peak memory of the tests and every process they started: ${gib(metrics.peakRssBytes)} summed RSS, ${gib(metrics.peakAnonBytes)} of it anonymous (${metrics.peakProcesses} processes)`);
    if (session) {
      mkdirSync(session.resultsDir, { recursive: true });
      writeFileSync(join(session.resultsDir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    }
    assert.deepEqual(left.map((p) => `${p.pid} ${p.cmdline}`), [], 'processes the suite started are still running');
  });

  for (const scenario of scenarios) {
    it(scenario.name, { skip: scenario.skip, timeout: scenario.timeoutMs }, async () => {
      assert.ok(workbench && session, 'the workbench did not start');
      const context = contextFor(workbench, session, scenario.name);
      if (!scenario.continuesPrevious) {
        await context.step('close what the previous scenario left open', 20_000, async () => {
          await workbench!.closeAllEditors();
          await workbench!.closePanel();
        });
      }
      await scenario.run(context);
    });
  }
});
