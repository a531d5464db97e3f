import type { Command } from 'commander';
import type { DivergenceGuardOptions } from '@not/ot-core';
import { integer, number } from '../parse';

/**
 * The divergence guard's thresholds as flags (see DivergenceGuard in @not/ot-core; each defaults to the guard's own
 * default), and --no-guard. They judge a run; they are not part of what defines it, so a resumed run may change them.
 */
export function addGuardOptions(command: Command): Command {
  return command
    .option('--no-guard', 'do not watch for divergence and mode collapse (a NaN then goes through)')
    .option('--guard-window <N>', 'good steps whose losses make the baseline a spike is judged against (default 50)', integer('--guard-window', 3))
    .option('--guard-warmup <N>', 'good steps before spikes and mode collapse are judged (default 10)', integer('--guard-warmup', 3))
    .option('--guard-spike <x>', 'a loss this many times the baseline\'s largest magnitude (and beyond it) is a divergence (default 10)', number('--guard-spike'))
    .option('--guard-lr-factor <f>', 'learning rates are multiplied by this after each rollback (default 0.5)', number('--guard-lr-factor'))
    .option('--guard-max-rollbacks <N>', 'rollbacks allowed before the run stops with an error (default 5)', integer('--guard-max-rollbacks', 0))
    .option('--guard-collapse-below <d>', 'output diversity below this counts towards mode collapse (default 0.05)', number('--guard-collapse-below'))
    .option('--guard-collapse-patience <N>', 'low-diversity steps in a row that make a mode collapse (default 5)', integer('--guard-collapse-patience', 1));
}

/** The guard the parsed flags ask for: its options, or false for --no-guard. */
// biome-ignore lint/suspicious/noExplicitAny: commander's parsed options are untyped
export function guardFromFlags(opts: Record<string, any>): DivergenceGuardOptions | false {
  if (opts.guard === false) return false;
  const options: DivergenceGuardOptions = {
    window: opts.guardWindow,
    warmup: opts.guardWarmup,
    spike: opts.guardSpike,
    lrFactor: opts.guardLrFactor,
    maxRollbacks: opts.guardMaxRollbacks,
    collapseBelow: opts.guardCollapseBelow,
    collapsePatience: opts.guardCollapsePatience,
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
