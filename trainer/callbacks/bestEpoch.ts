/**
 * The run's one best epoch (see BestRule), decided at each epoch's end
 * before anything is written or sent, so that the history and the event
 * carry the best epoch up to this one. With EarlyStopping, its own tracker
 * decides (the epoch whose weights restore_best_weights restores) and its
 * patience is counted.
 */
import type { EarlyStopping } from '../monitors';
import type { Logs, MemberState, TrainingCallback } from './callback';

export class BestEpoch implements TrainingCallback {
  constructor(
    private readonly state: Pick<MemberState, 'best' | 'epoch'>,
    private readonly early?: EarlyStopping,
  ) {}

  onEpochEnd(epoch: number, logs: Logs): void {
    const decision = this.early ? this.early.onEpochEnd(epoch + 1, logs) : { improved: this.state.best.offer(epoch + 1, logs), stop: false };
    this.state.epoch.improved = decision.improved;
    this.state.epoch.stop = decision.stop;
  }
}
