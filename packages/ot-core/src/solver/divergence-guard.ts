import type { StepReport } from './step-report';

/** Thresholds of a {@link DivergenceGuard}; each is optional, with the default given. */
export interface DivergenceGuardOptions {
  /** How many recent good steps make the baseline a loss is judged against. Default 50. */
  window?: number;
  /** Good steps needed before spikes and mode collapse are judged (NaN and ±Inf always are). Default 10. */
  warmup?: number;
  /**
   * A loss more than this many times as large in magnitude as every loss of the baseline (and as 1) is a spike.
   * NOT's adversarial losses swing widely (f's changes sign, T's can double within a few steps, and spread-based rules
   * flag such swings, which training recovers from), but they do not jump by an order of magnitude unless training
   * blows up. Default 10.
   */
  spike?: number;
  /** Learning rates are multiplied by this after each rollback. Default 0.5. */
  lrFactor?: number;
  /** Rollbacks allowed before the guard gives up and throws. Default 5. */
  maxRollbacks?: number;
  /** A step's output diversity (StepReport.diversity) below this counts towards mode collapse. Default 0.05. */
  collapseBelow?: number;
  /** Consecutive low-diversity steps that make a mode collapse. Default 5. */
  collapsePatience?: number;
}

/** A step whose losses say training went off the rails. */
export interface Divergence {
  /** The outer step (1-based, as in StepReport) whose losses diverged. */
  step: number;
  /** Which loss, its value, and why it was judged diverged (for logs). */
  loss: 'mapLoss' | 'potentialLoss';
  /** The loss's value at that step: NaN, ±Inf or a spike. */
  value: number;
  /** Why it was judged diverged, in words. */
  reason: string;
}

/** Outputs of a batch nearly identical for several steps in a row. */
export interface ModeCollapse {
  /** The step that completed `collapsePatience` low-diversity steps in a row. */
  step: number;
  /** That step's StepReport.diversity: T(x)'s spread across the batch over the target's (near 0 when collapsed). */
  diversity: number;
  /** What was seen, in words (for logs). */
  reason: string;
}

const LOSSES = ['mapLoss', 'potentialLoss'] as const;

/**
 * Watches a NOT run's step reports for divergence (NaN/Inf or a loss spike against the recent good steps) and mode
 * collapse (T's outputs of a batch nearly identical). It judges; the training loop acts: on a divergence it restores
 * its last good state (a checkpoint), lowers the learning rates by `lrFactor` and calls {@link rolledBack}, as
 * the training loop ({@link train}) does.
 */
export class DivergenceGuard {
  /** Recent good steps that make the baseline (default 50). */
  readonly window: number;
  /** Good steps needed before spikes are judged (default 10). */
  readonly warmup: number;
  /** Robust deviations from the baseline's median beyond which a loss is a spike (default 10). */
  readonly spike: number;
  /** Factor in (0, 1) the training loop multiplies the learning rates by after each rollback (default 0.5). */
  readonly lrFactor: number;
  /** Rollbacks allowed; {@link DivergenceGuard.rolledBack} throws on the one after (default 5). */
  readonly maxRollbacks: number;
  /** Diversity in [0, 1) below which a step counts towards mode collapse (default 0.05). */
  readonly collapseBelow: number;
  /** Consecutive low-diversity steps that make a mode collapse (default 5). */
  readonly collapsePatience: number;
  private good: StepReport[] = [];
  private rollbacks = 0;
  private lowDiversitySteps = 0;

  constructor(options: DivergenceGuardOptions = {}) {
    const { window = 50, warmup = 10, spike = 10, lrFactor = 0.5, maxRollbacks = 5, collapseBelow = 0.05, collapsePatience = 5 } = options;
    const integer = (name: string, value: number, min: number) => {
      if (!(Number.isInteger(value) && value >= min)) throw new Error(`DivergenceGuard: ${name} must be an integer >= ${min}, got ${value}`);
    };
    integer('window', window, 3);
    integer('warmup', warmup, 3);
    integer('maxRollbacks', maxRollbacks, 0);
    integer('collapsePatience', collapsePatience, 1);
    if (warmup > window) throw new Error(`DivergenceGuard: warmup (${warmup}) must not exceed window (${window})`);
    if (!(spike > 0)) throw new Error(`DivergenceGuard: spike must be > 0, got ${spike}`);
    if (!(lrFactor > 0 && lrFactor < 1)) throw new Error(`DivergenceGuard: lrFactor must lie in (0, 1), got ${lrFactor}`);
    if (!(collapseBelow >= 0 && collapseBelow < 1)) throw new Error(`DivergenceGuard: collapseBelow must lie in [0, 1), got ${collapseBelow}`);
    this.window = window;
    this.warmup = warmup;
    this.spike = spike;
    this.lrFactor = lrFactor;
    this.maxRollbacks = maxRollbacks;
    this.collapseBelow = collapseBelow;
    this.collapsePatience = collapsePatience;
  }

  /** Rollbacks so far. */
  get rollbackCount(): number {
    return this.rollbacks;
  }

  /** Judges a step's losses; a good step joins the baseline, a diverged one does not. */
  inspect(report: StepReport): Divergence | null {
    for (const loss of LOSSES) {
      const value = report[loss];
      if (!Number.isFinite(value)) return { step: report.step, loss, value, reason: `${loss} is ${value}` };
    }
    if (this.good.length >= this.warmup) {
      for (const loss of LOSSES) {
        const largest = Math.max(...this.good.map((r) => Math.abs(r[loss])));
        const value = report[loss];
        if (Math.abs(value) > this.spike * Math.max(largest, 1)) {
          const reason = `${loss} ${value.toPrecision(4)}, while the last ${this.good.length} good steps stayed within ±${largest.toPrecision(3)} (limit: ${this.spike} × max(that, 1))`;
          return { step: report.step, loss, value, reason };
        }
      }
    }
    this.good.push(report);
    if (this.good.length > this.window) this.good.shift();
    return null;
  }

  /**
   * Counts a step's output diversity towards mode collapse; reports it once when `collapsePatience` low steps have
   * come in a row (again only after diversity has recovered in between).
   */
  collapse(report: StepReport): ModeCollapse | null {
    // A young map's outputs are nearly alike (it has not learned to vary yet): not a collapse.
    if (!(report.diversity < this.collapseBelow) || this.good.length < this.warmup) {
      this.lowDiversitySteps = 0;
      return null;
    }
    this.lowDiversitySteps += 1;
    if (this.lowDiversitySteps !== this.collapsePatience) return null;
    const reason =
      `T's outputs of a batch vary ${(report.diversity * 100).toFixed(1)}% as much as the target's (below ` +
      `${(this.collapseBelow * 100).toFixed(1)}% for ${this.collapsePatience} steps): mode collapse`;
    return { step: report.step, diversity: report.diversity, reason };
  }

  /** Tells the guard that training went back to the state after `step`; throws once rollbacks exceed maxRollbacks. */
  rolledBack(step: number, divergence: Divergence): void {
    this.rollbacks += 1;
    if (this.rollbacks > this.maxRollbacks) {
      throw new Error(
        `DivergenceGuard: training diverged ${this.rollbacks} times (maxRollbacks ${this.maxRollbacks}); the last: step ` +
          `${divergence.step}, ${divergence.reason}. Try a lower learning rate.`,
      );
    }
    this.good = this.good.filter((r) => r.step <= step);
    this.lowDiversitySteps = 0;
  }
}
