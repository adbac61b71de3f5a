/** The batch and epoch events the parent hears, sent as each batch and epoch ends. */
import type { TrainerEvent } from '../../protocol/training';
import type { Logs, MemberState, TrainingCallback } from './callback';

export class ProgressEvents implements TrainingCallback {
  private epoch = 0;

  constructor(
    private readonly state: Pick<MemberState, 'best' | 'epoch'>,
    private readonly emit: (event: TrainerEvent) => void,
    /** The model's name, and the member's index in an ensemble. */
    private readonly label: { model: string; member?: number },
    private readonly run: { epochs: number; samples: number },
  ) {}

  onEpochBegin(epoch: number): void {
    this.epoch = epoch + 1;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    this.emit({ type: 'batch', ...this.label, epoch: this.epoch, batch: batch + 1, metrics: logs });
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const { seconds, learningRate } = this.state.epoch;
    const best = this.state.best.best;
    this.emit({
      type: 'epoch',
      ...this.label,
      epoch: epoch + 1,
      epochs: this.run.epochs,
      metrics: logs,
      learningRate,
      seconds,
      samplesPerSecond: this.run.samples / seconds,
      ...(best && { best }),
    });
  }
}
