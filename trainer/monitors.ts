/**
 * EarlyStopping and ReduceLROnPlateau as Keras 2 defines them, driven by
 * the epoch's logs, and the run's best epoch: one rule (BestRule) and one
 * comparison for all three. They decide; the fit's callbacks
 * (trainer/callbacks/) act: they stop, restore weights, set the learning rate.
 */
import type { ResolvedArgs } from '../core';
import type { BestEpoch, BestRule } from '../protocol/training';

type Mode = BestRule['mode'];

/**
 * Keras's mode 'auto': accuracies (names ending in acc or accuracy, and
 * auc) should rise, and so should precision and recall (the direction
 * Keras gives those metrics); everything else should fall.
 */
export function autoMode(monitor: string): Mode {
  return /(acc|accuracy|auc|precision|recall)$/.test(monitor) ? 'max' : 'min';
}

function ruleOf(args: ResolvedArgs): BestRule {
  const monitor = args.values['monitor'] as string;
  const mode = args.values['mode'] as string;
  return { monitor, mode: mode === 'min' || mode === 'max' ? mode : autoMode(monitor), minDelta: Math.abs(args.values['min_delta'] as number) };
}

/** Without an EarlyStopping callback: the validation loss (the loss without validation data), falling, by any amount. */
export function defaultBestRule(hasValidation: boolean): BestRule {
  return { monitor: hasValidation ? 'val_loss' : 'loss', mode: 'min', minDelta: 0 };
}

/**
 * Keras's comparison: `current` improves on `reference` when it beats it by
 * more than min_delta in the rule's direction. NaN never improves.
 */
export function improves(rule: BestRule, current: number, reference: number): boolean {
  return rule.mode === 'min' ? current < reference - rule.minDelta : current > reference + rule.minDelta;
}

/** The best epoch so far of a rule's monitored quantity. */
export class BestTracker {
  /** Undefined until an epoch has recorded the quantity (and a finite one). */
  best: BestEpoch | undefined;

  constructor(readonly rule: BestRule) {}

  /** Epoch `epoch` (1-based) ended with `logs`: true when it is the new best. An epoch without the quantity is passed over. */
  offer(epoch: number, logs: Record<string, number>): boolean {
    const current = logs[this.rule.monitor];
    if (current === undefined || !this.beats(current)) return false;
    this.best = { ...this.rule, epoch, value: current };
    return true;
  }

  /** Whether `value` improves on the best so far (any number improves on none, NaN never). */
  beats(value: number): boolean {
    const reference = this.best?.value ?? (this.rule.mode === 'min' ? Infinity : -Infinity);
    return improves(this.rule, value, reference);
  }
}

export interface EarlyStoppingDecision {
  /** This epoch is the new best: with restore_best_weights, its weights are the ones to keep. */
  improved: boolean;
  /** Patience ran out: training ends here, with the best epoch's weights put back under restore_best_weights. */
  stop: boolean;
}

export class EarlyStopping {
  readonly restoreBestWeights: boolean;
  /** Its monitor, mode and min_delta; `best.best` is the epoch whose weights restore_best_weights restores. */
  readonly best: BestTracker;
  private readonly baseline: number | null;
  private readonly patience: number;
  private wait = 0;

  constructor(args: ResolvedArgs) {
    this.patience = args.values['patience'] as number;
    this.restoreBestWeights = args.values['restore_best_weights'] as boolean;
    this.baseline = (args.values['baseline'] as number | null | undefined) ?? null;
    this.best = new BestTracker(ruleOf(args));
  }

  get monitor(): string {
    return this.best.rule.monitor;
  }

  /**
   * Called after epoch `epoch` (1-based) with its logs. As Keras 2 does: the
   * best epoch is tracked whatever the baseline, but the wait starts again
   * only at an epoch that beats both the best so far and the baseline; an
   * epoch without the monitored quantity is not counted at all.
   */
  onEpochEnd(epoch: number, logs: Record<string, number>): EarlyStoppingDecision {
    const current = logs[this.monitor];
    if (current === undefined) return { improved: false, stop: false };
    this.wait++;
    if (this.best.offer(epoch, logs)) {
      if (this.baseline === null || improves(this.best.rule, current, this.baseline)) this.wait = 0;
      return { improved: true, stop: false };
    }
    // Never on the first epoch.
    return { improved: false, stop: this.wait >= this.patience && epoch > 1 };
  }
}

export class ReduceLROnPlateau {
  /** Its monitor, mode and min_delta, compared as EarlyStopping and the best epoch are. */
  private readonly best: BestTracker;
  private readonly factor: number;
  private readonly patience: number;
  private readonly cooldown: number;
  private readonly minLr: number;
  private wait = 0;
  private cooldownLeft = 0;
  private epochs = 0;

  constructor(args: ResolvedArgs) {
    this.factor = args.values['factor'] as number;
    this.patience = args.values['patience'] as number;
    this.cooldown = args.values['cooldown'] as number;
    this.minLr = args.values['min_lr'] as number;
    this.best = new BestTracker(ruleOf(args));
  }

  get monitor(): string {
    return this.best.rule.monitor;
  }

  /** The new learning rate after this epoch, or undefined to keep it. */
  onEpochEnd(logs: Record<string, number>, learningRate: number): number | undefined {
    this.epochs++;
    if (logs[this.monitor] === undefined) return undefined;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (this.best.offer(this.epochs, logs)) {
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
