/**
 * The training panel's page in headless Chromium, fed a long run as the
 * host would send it live: 50,000 batches over 50 epochs at 1,500 batches a
 * second, coalesced into 60 messages a second (25 batches a message, and the
 * epoch events in their place). Each update's work is timed inside the
 * page (the message's handling and the frame's render, through the page's
 * `layerwiseUpdateTimes` hook). Messages go one per animation frame, and the
 * frame rate is unthrottled, so the replay runs faster than real time while
 * every update still has a frame of its own.
 */
import { existsSync } from 'node:fs';
import type { EventsMessage } from '../protocol/panel';
import type { TrainerEvent } from '../protocol/training';
import { CHROMIUM, openPanel, post } from '../test/webviewHost';
import { syntheticRun } from '../test/webviewStreams';

export interface PanelSpeed {
  batches: number;
  epochs: number;
  messages: number;
  batchesPerSecond: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  /** The replay's wall time, and the run's own duration at its rate. */
  wallSeconds: number;
  realSeconds: number;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** The events in messages of one 1/60 s tick each at `batchesPerSecond`. */
function ticks(events: TrainerEvent[], batchesPerSecond: number): EventsMessage[] {
  const perTick = batchesPerSecond / 60;
  const messages: EventsMessage[] = [];
  let current: TrainerEvent[] = [];
  let batches = 0;
  for (const event of events) {
    current.push(event);
    if (event.type !== 'batch') continue;
    batches++;
    if (batches >= perTick * (messages.length + 1)) {
      messages.push({ type: 'events', events: current });
      current = [];
    }
  }
  if (current.length) messages.push({ type: 'events', events: current });
  return messages;
}

/** Undefined when Chromium is not installed. */
export async function measurePanelSpeed(epochs = 50, batchesPerEpoch = 1000, batchesPerSecond = 1500): Promise<PanelSpeed | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const events = syntheticRun({ model: 'Bench', epochs, batchesPerEpoch, seconds: batchesPerEpoch / batchesPerSecond });
  const messages = ticks(events, batchesPerSecond);
  const panel = await openPanel({ args: ['--disable-frame-rate-limit', '--disable-gpu-vsync'] });
  try {
    const { page } = panel;
    await post(page, { type: 'reset', run: { file: 'bench.net', models: ['Bench'] } });
    await page.evaluate(`window.benchMessages = ${JSON.stringify(messages)}`);
    const wall = await page.evaluate(`(async () => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      await frame();
      window.layerwiseUpdateTimes = [];
      const start = performance.now();
      for (const message of window.benchMessages) {
        // Delivered as the webview delivers a host message; the page draws on the next frame.
        window.dispatchEvent(new MessageEvent('message', { data: message }));
        await frame();
      }
      await frame();
      return performance.now() - start;
    })()`) as number;
    const times = (await page.evaluate('window.layerwiseUpdateTimes') as number[]).sort((a, b) => a - b);
    const batches = await page.locator('.chart[data-metric="loss"]').getAttribute('data-batch-points');
    if (batches !== String(epochs * batchesPerEpoch)) throw new Error(`the page holds ${batches} batches, not ${epochs * batchesPerEpoch}`);
    if (panel.errors.length) throw new Error(panel.errors.join('\n'));
    return {
      batches: epochs * batchesPerEpoch,
      epochs,
      messages: messages.length,
      batchesPerSecond,
      medianMs: quantile(times, 0.5),
      p99Ms: quantile(times, 0.99),
      maxMs: times.at(-1)!,
      wallSeconds: wall / 1000,
      realSeconds: messages.length / 60,
    };
  } finally {
    await panel.close();
  }
}
