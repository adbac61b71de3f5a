/** A loss that is no longer a number ends the fit after its batch: the member fails there, keeping its finished epochs. */
import type { Logs, MemberState, Stoppable, TrainingCallback } from './callback';

export class NanGuard implements TrainingCallback {
  private epoch = 0;

  constructor(
    private readonly state: Pick<MemberState, 'nanAt'>,
    private readonly model: Stoppable,
  ) {}

  onEpochBegin(epoch: number): void {
    this.epoch = epoch + 1;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (Number.isFinite(logs['loss'] ?? NaN)) return;
    this.state.nanAt = { epoch: this.epoch, batch: batch + 1 };
    this.model.stopTraining = true;
  }
}
