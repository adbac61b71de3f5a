/** EarlyStopping's patience ran out: the fit ends after this epoch (a stop the parent asked for keeps its reason). */
import type { MemberState, Stoppable, TrainingCallback } from './callback';

export class EarlyStop implements TrainingCallback {
  constructor(
    private readonly state: Pick<MemberState, 'epoch' | 'reason'>,
    private readonly model: Stoppable,
  ) {}

  onEpochEnd(): void {
    if (!this.state.epoch.stop) return;
    if (this.state.reason !== 'stopped') this.state.reason = 'early-stopping';
    this.model.stopTraining = true;
  }
}
