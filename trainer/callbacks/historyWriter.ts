/**
 * The member's part of `history.json`: every batch and epoch recorded, and
 * the whole history written atomically at each epoch's end, before the
 * epoch's event is sent (this callback comes before the events in the
 * list), so that a run killed then keeps its finished epochs. At the fit's
 * end it records how the member ended and writes once more.
 */
import { writeAtomic, type RunHistory } from '../artifacts';
import type { Logs, MemberState, TrainingCallback } from './callback';

export class HistoryWriter implements TrainingCallback {
  private epoch = 0;

  constructor(
    private readonly state: Pick<MemberState, 'record' | 'best' | 'epoch' | 'reason' | 'restored' | 'nanAt'>,
    /** The run's whole history, every member's record in it. */
    private readonly history: RunHistory,
    private readonly path: string,
  ) {}

  onEpochBegin(epoch: number): void {
    this.epoch = epoch + 1;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    this.state.record.batches.push({ epoch: this.epoch, batch: batch + 1, metrics: logs });
  }

  /** A stopped epoch's logs have no validation values; the epoch still counts with what it has. */
  onEpochEnd(epoch: number, logs: Logs): void {
    const { seconds, learningRate } = this.state.epoch;
    const best = this.state.best.best;
    this.state.record.epochs.push({ epoch: epoch + 1, metrics: logs, learningRate, seconds, ...(best && { best }) });
    this.write();
  }

  onTrainEnd(): void {
    const { record, best } = this.state;
    record.bestEpoch = best.best?.epoch ?? 0;
    if (best.best) record.best = best.best;
    record.restored = this.state.restored;
    record.reason = this.state.nanAt ? 'failed' : this.state.reason;
    this.write();
  }

  write(): void {
    writeAtomic(this.path, JSON.stringify(this.history));
  }
}
