import { Rng } from '@not/ot-core';
import { type StackFlags, resolveStackConfig } from '../stack/stack-config';
import { trainFlags } from '../commands/train-options';
import { type TrainConfig, type TrainPreset, TRAIN_PRESETS, resolveTrainConfig } from '../train/train-config';
import { CommandFlags, type FlagValue, type SweepCommand } from './command-flags';
import type { RandomSearch, SweepLevel, SweepSpec } from './sweep-spec';

/** One run of a sweep: `not <command>` with `flags` (fixed flags and its point), in DIR/runs/<id>. */
export interface SweepRun {
  id: string;
  command: SweepCommand;
  /** Every flag the run gets, by long name (without --out, --resume, --first: the sweep adds those). */
  flags: Record<string, FlagValue>;
  /** The flags that vary across the sweep, with this run's values. */
  swept: Record<string, FlagValue>;
  /** The train run whose map is this stack run's first stage (--first), in a stacking tree. */
  parent: string | null;
}

/**
 * The runs of a spec, parents before their children: every grid point × every random draw (identical points once),
 * and in a stacking tree every `then` point on every train run. Each run's whole configuration is checked as the
 * command would check it (with its preset, or with either preset when none is given), so a bad combination is an error
 * before anything starts.
 */
export function planSweep(spec: SweepSpec): SweepRun[] {
  const parents = expand(spec).map((point) => ({ ...point, command: spec.command, parent: null as string | null, id: runId(point.swept) }));
  const runs: SweepRun[] = [];
  const configs = new Map<string, TrainConfig>();
  for (const run of parents) {
    const config = checkRun(run, null);
    if (config) configs.set(run.id, config);
    runs.push(run);
    if (!spec.then) continue;
    for (const point of expand(spec.then)) {
      const child = { ...point, command: spec.then.command, parent: run.id, id: `${run.id}+${Object.keys(point.swept).length ? runId(point.swept) : 'stack'}` };
      checkRun(child, config ?? null);
      runs.push(child);
    }
  }
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.id)) throw new Error(`sweep: two runs would share the folder runs/${run.id}; make the swept values differ in more than punctuation`);
    seen.add(run.id);
  }
  return runs;
}

/** The points of one level: fixed flags plus each grid point × random draw, with what varies in `swept`. */
function expand(level: SweepLevel): { flags: Record<string, FlagValue>; swept: Record<string, FlagValue> }[] {
  let points: Record<string, FlagValue>[] = [{}];
  for (const [name, values] of Object.entries(level.grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  if (level.random) {
    const draws = randomDraws(level.random);
    points = points.flatMap((p) => draws.map((d) => ({ ...p, ...d })));
  }
  const unique = new Map(points.map((p) => [JSON.stringify(p), p]));
  return [...unique.values()].map((swept) => ({ flags: { ...level.flags, ...swept }, swept }));
}

/** The random search's draws, reproducible from its seed; real values keep 4 significant digits (ids stay short). */
export function randomDraws(random: RandomSearch): Record<string, FlagValue>[] {
  const rng = new Rng(random.seed);
  const next = () => rng.uniform();
  return Array.from({ length: random.count }, () => {
    const draw: Record<string, FlagValue> = {};
    for (const [name, range] of Object.entries(random.flags)) {
      if (Array.isArray(range)) {
        draw[name] = range[Math.min(range.length - 1, Math.floor(next() * range.length))];
        continue;
      }
      const u = next();
      const value = range.log ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min))) : range.min + u * (range.max - range.min);
      draw[name] = range.integer ? Math.round(value) : Number(value.toPrecision(4));
    }
    return draw;
  });
}


/** A run's folder name from its swept values: "seed=1,lr=0.001" ("run" when nothing varies). */
export function runId(swept: Record<string, FlagValue>): string {
  const parts = Object.entries(swept).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? parts.join(',').replace(/[^A-Za-z0-9._=,+:@-]/g, '_') : 'run';
}

/** Checks a run's whole configuration as the command would; returns a train run's configuration (for its children). */
function checkRun(run: SweepRun, first: TrainConfig | null): TrainConfig | null {
  const options = new CommandFlags(run.command).options(run.flags);
  const given = options.preset as TrainPreset | undefined;
  const presets = given ? [given] : [...TRAIN_PRESETS].reverse();
  const errors: string[] = [];
  for (const preset of presets) {
    try {
      if (run.command === 'train') return resolveTrainConfig(trainFlags(options), preset);
      // A stack run on an existing train run (a fixed --first) is checked when it starts: its first stage is on disk.
      if (options.first !== undefined) return null;
      resolveStackConfig(stackFlags(options), preset, false, first ?? undefined);
      return null;
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  throw new Error(`sweep: run ${run.id}: ${errors[0]}`);
}

/** `not stack`'s flags from its parsed options (as its action builds them). */
function stackFlags(options: Record<string, unknown>): StackFlags {
  return {
    ...trainFlags(options),
    stageCount: options.stages as number | undefined,
    init: options.init as StackFlags['init'],
    margin: options.margin as number | undefined,
    finalCost: options.finalCost as StackFlags['finalCost'],
    first: options.first as string | undefined,
    pushforward: options.pushforward as StackFlags['pushforward'],
  };
}
