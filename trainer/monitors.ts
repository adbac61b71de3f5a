/**
 * EarlyStopping and ReduceLROnPlateau as Keras 2 defines them, driven by
 * the epoch's logs. They decide; the engine acts (stops, restores weights,
 * sets the learning rate).
 */
import type { ResolvedArgs } from '../core';

type Mode = 'min' | 'max';

function modeOf(args: ResolvedArgs, monitor: string): Mode {
  const mode = args.values['mode'] as string;
  if (mode === 'min' || mode === 'max') return mode;
  // Keras's auto: accuracies should rise, everything else fall.
  return /acc|precision|recall/.test(monitor) ? 'max' : 'min';
}

/** Tracks the best value of a monitored quantity. */
class Best {
  value: number;

  constructor(
    readonly mode: Mode,
    private readonly minDelta: number,
    baseline?: number | null,
  ) {
    this.value = baseline ?? (mode === 'min' ? Infinity : -Infinity);
  }

  improves(current: number): boolean {
    return this.mode === 'min' ? current < this.value - this.minDelta : current > this.value + this.minDelta;
  }
}

export type EarlyStoppingDecision = { kind: 'continue'; improved: boolean } | { kind: 'stop'; restoreBest: boolean };

export class EarlyStopping {
  readonly monitor: string;
  readonly restoreBestWeights: boolean;
  private readonly best: Best;
  private readonly patience: number;
  private wait = 0;
  bestEpoch = -1;

  constructor(args: ResolvedArgs) {
    this.monitor = args.values['monitor'] as string;
    this.patience = args.values['patience'] as number;
    this.restoreBestWeights = args.values['restore_best_weights'] as boolean;
    this.best = new Best(modeOf(args, this.monitor), Math.abs(args.values['min_delta'] as number), args.values['baseline'] as number | null);
  }

  /** Called after each epoch (0-based) with its logs. */
  onEpochEnd(epoch: number, logs: Record<string, number>): EarlyStoppingDecision {
    const current = logs[this.monitor];
    if (current === undefined || Number.isNaN(current)) return { kind: 'continue', improved: false };
    if (this.best.improves(current)) {
      this.best.value = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      return { kind: 'continue', improved: true };
    }
    this.wait++;
    if (this.wait >= this.patience && epoch > 0) return { kind: 'stop', restoreBest: this.restoreBestWeights && this.bestEpoch >= 0 };
    return { kind: 'continue', improved: false };
  }
}

export class ReduceLROnPlateau {
  readonly monitor: string;
  private readonly best: Best;
  private readonly factor: number;
  private readonly patience: number;
  private readonly cooldown: number;
  private readonly minLr: number;
  private wait = 0;
  private cooldownLeft = 0;

  constructor(args: ResolvedArgs) {
    this.monitor = args.values['monitor'] as string;
    this.factor = args.values['factor'] as number;
    this.patience = args.values['patience'] as number;
    this.cooldown = args.values['cooldown'] as number;
    this.minLr = args.values['min_lr'] as number;
    this.best = new Best(modeOf(args, this.monitor), args.values['min_delta'] as number);
  }

  /** The new learning rate after this epoch, or undefined to keep it. */
  onEpochEnd(logs: Record<string, number>, learningRate: number): number | undefined {
    const current = logs[this.monitor];
    if (current === undefined || Number.isNaN(current)) return undefined;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (this.best.improves(current)) {
      this.best.value = current;
      this.wait = 0;
      return undefined;
    }
    if (this.cooldownLeft > 0) return undefined;
    this.wait++;
    if (this.wait < this.patience || learningRate <= this.minLr) return undefined;
    this.cooldownLeft = this.cooldown;
    this.wait = 0;
    return Math.max(learningRate * this.factor, this.minLr);
  }
}
