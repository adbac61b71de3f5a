/**
 * `layerwise train`: runs the trainer process and shows its events as a
 * progress bar and a final table, or as JSON lines with `--json`.
 */
import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { BACKENDS, describeBackend, type BackendChoice, type EvaluationEvent, type FinishedEvent, type StartRequest, type TrainerEvent } from '../protocol/training';
import { TrainingProcess } from '../trainer/process';

export interface TrainOptions {
  file: string;
  model?: string;
  epochs?: number;
  backend?: string;
  block?: number;
  json: boolean;
  /** A folder that holds the native packages, looked in first. */
  nativeModules?: string;
}

export function parseBackend(value: string | undefined): BackendChoice | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto' || (BACKENDS as readonly string[]).includes(value)) return value as BackendChoice;
  throw new Error(`unknown backend '${value}': use auto, ${BACKENDS.join(', ')}`);
}

const fmt = (value: number | undefined): string => (value === undefined ? '' : Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(4));

export async function train(options: TrainOptions, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const request: StartRequest = {
    type: 'start',
    file: resolve(options.file),
    model: options.model,
    epochs: options.epochs,
    backend: parseBackend(options.backend),
    trainBlock: options.block,
    ...(options.nativeModules ? { native: { folder: resolve(options.nativeModules) } } : {}),
  };
  const trainer = new TrainingProcess(request);
  // Ctrl-C reaches the trainer too (the terminal interrupts the whole process group), and it stops on its own: the
  // stop sent here is for an interrupt sent to this process alone, and counts as the same one stop.
  let interrupted = 0;
  const onInterrupt = (): void => {
    interrupted++;
    if (interrupted === 1) {
      err('\nstopping after the current batch and keeping the model (Ctrl-C again to end at once, without it)…\n');
      trainer.stop();
    } else if (interrupted === 2) {
      err('\nending the trainer at once: the model is not saved, the finished epochs stay in the run folder\n');
      trainer.kill();
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const view = options.json ? new JsonView(out) : new ProgressView(out, err, Boolean(process.stderr.isTTY));
  trainer.onEvent((event) => view.show(event));
  const { events } = await trainer.done;
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onInterrupt);
  view.close();
  const failed = events.some((event) => event.type === 'failed');
  if (!options.json) {
    const finished = events.filter((event): event is FinishedEvent => event.type === 'finished');
    if (finished.length) out(resultsTable(finished));
  }
  return failed ? 1 : 0;
}

interface View {
  show(event: TrainerEvent): void;
  close(): void;
}

class JsonView implements View {
  constructor(private readonly out: (text: string) => void) {}
  show(event: TrainerEvent): void {
    this.out(JSON.stringify(event) + '\n');
  }
  close(): void {}
}

/** A bar per epoch on a terminal; epoch lines (thinned for long runs) otherwise. */
class ProgressView implements View {
  private bar: SingleBar | undefined;
  private epochs = 0;

  constructor(
    private readonly out: (text: string) => void,
    private readonly err: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  show(event: TrainerEvent): void {
    switch (event.type) {
      case 'started': {
        const member = event.members > 1 ? ` (member ${(event.member ?? 0) + 1} of ${event.members})` : '';
        const skipped = event.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
        this.epochs = event.epochs;
        this.out(
          `Training ${event.model}${member} on ${describeBackend(event.backend, event.backendInfo)}${skipped ? ` (${skipped})` : ''}\n` +
            `  ${event.params.total.toLocaleString('en-US')} params · ${event.data.train} training and ${event.data.validation} validation samples · ${event.classes.length} classes · ${event.epochs} epochs of ${event.batchesPerEpoch} batches\n`,
        );
        break;
      }
      case 'batch':
        if (!this.tty) break;
        if (!this.bar) {
          this.bar = new SingleBar({ format: `  epoch {epoch}/${this.epochs} [{bar}] {value}/{total} loss {loss}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
          this.bar.start(1, 0, { epoch: event.epoch, loss: '' });
        }
        this.bar.setTotal(Math.max(this.bar.getTotal(), event.batch));
        this.bar.update(event.batch, { epoch: event.epoch, loss: fmt(event.metrics['loss']) });
        break;
      case 'epoch': {
        this.bar?.stop();
        this.bar = undefined;
        const every = Math.max(1, Math.ceil(event.epochs / 20));
        if (event.epoch % every === 0 || event.epoch === event.epochs || event.epoch === 1) {
          const values = Object.entries(event.metrics).map(([key, value]) => `${key} ${fmt(value)}`).join(' · ');
          this.out(`  epoch ${event.epoch}/${event.epochs}  ${values} · lr ${event.learningRate.toPrecision(3)} · ${event.samplesPerSecond.toFixed(0)} samples/s\n`);
        }
        break;
      }
      case 'evaluation':
        this.out(`  ${accuracyLine(event)}\n`);
        break;
      case 'finished':
        if (event.ensemble) {
          const members = event.ensemble.memberAccuracy.map((a) => (a * 100).toFixed(1) + '%').join(', ');
          this.out(`  ensemble of ${event.ensemble.memberAccuracy.length}: members ${members}; averaged prediction ${(event.ensemble.averagedAccuracy * 100).toFixed(1)}%\n`);
        }
        break;
      case 'failed': {
        this.bar?.stop();
        this.bar = undefined;
        const place = event.file ? `${event.file}${event.line ? `:${event.line}:${event.column ?? 1}` : ''}: ` : '';
        this.err(`${place}error: ${event.message}\n`);
        if (event.runDir) this.err(`  the finished epochs are in ${event.runDir}\n`);
        break;
      }
      case 'warning':
        this.err(`${event.file ? `${event.file}: ` : ''}warning: ${event.model ? `${event.model}: ` : ''}${event.message}\n`);
        break;
    }
  }

  close(): void {
    this.bar?.stop();
  }
}

/** How many classes the accuracy line names before it sums up the rest. */
const SHOWN_CLASSES = 10;

/** Each class's accuracy (its diagonal share of the confusion row), the first few of them, and the overall accuracy. */
export function accuracyLine(event: Pick<EvaluationEvent, 'on' | 'classes' | 'confusion'>): string {
  const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${Math.round((100 * part) / whole)}%`);
  const rows = event.confusion.map((row, label) => ({ label, right: row[label] ?? 0, total: row.reduce((a, b) => a + b, 0) })).filter((row) => row.total > 0);
  const right = rows.reduce((sum, row) => sum + row.right, 0);
  const total = rows.reduce((sum, row) => sum + row.total, 0);
  const shown = rows.slice(0, SHOWN_CLASSES).map((row) => `${event.classes[row.label]} ${percent(row.right, row.total)}`);
  const more = rows.length > SHOWN_CLASSES ? ` · … ${rows.length - SHOWN_CLASSES} more` : '';
  return `${event.on} accuracy ${total === 0 ? '–' : `${((100 * right) / total).toFixed(1)}%`}; by class: ${shown.join(' · ')}${more}`;
}

function resultsTable(finished: FinishedEvent[]): string {
  const keys = [...new Set(finished.flatMap((event) => Object.keys(event.metrics)))];
  const header = ['model', 'epochs', 'best', ...keys, 'ended'];
  const rows = finished.map((event) => [
    event.model + (event.member !== undefined ? `#${event.member + 1}` : ''),
    String(event.epochs),
    String(event.bestEpoch),
    ...keys.map((key) => fmt(event.metrics[key])),
    event.reason,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const folders = [...new Set(finished.map((event) => event.artifacts.runDir))].map((dir) => `  ${dir}`).join('\n');
  return `\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n\nRun folder${finished.length > 1 ? 's' : ''}:\n${folders}\n`;
}
