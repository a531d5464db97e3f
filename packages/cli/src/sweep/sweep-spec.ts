import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CommandFlags, type FlagValue, SWEEP_COMMANDS, type SweepCommand } from './command-flags';

/** A random-search range: uniform in [min, max], or log-uniform with `log`; rounded to an integer with `integer`. */
export interface RandomRange {
  min: number;
  max: number;
  log?: boolean;
  integer?: boolean;
}

/** `count` draws (seeded by `seed`), each flag from its range or its list of choices. */
export interface RandomSearch {
  count: number;
  seed: number;
  flags: Record<string, RandomRange | FlagValue[]>;
}

/** One level of a sweep: a command, its fixed flags, and what varies (every grid point × every random draw). */
export interface SweepLevel {
  command: SweepCommand;
  /** Flags every run gets, by long name without dashes. */
  flags: Record<string, FlagValue>;
  grid: Record<string, FlagValue[]>;
  random: RandomSearch | null;
}

/**
 * A sweep: the runs of `command`, and with `then` a stacking tree: each `then` run is a `not stack` run whose first
 * stage is one of the `train` runs (`--first`), so runs that share their first stage train it once and then branch.
 */
export interface SweepSpec extends SweepLevel {
  then: SweepLevel | null;
}

/** Reads a sweep spec, JSON or YAML (by extension: .yaml/.yml are YAML, anything else JSON). */
export function readSweepSpec(path: string): SweepSpec {
  if (!existsSync(path)) throw new Error(`sweep: no spec file at ${path}`);
  const text = readFileSync(path, 'utf8');
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new Error(`sweep: ${path} is not valid ${yaml ? 'YAML' : 'JSON'} (${(error as Error).message})`);
  }
  return parseSweepSpec(value);
}

/**
 * Checks a spec's shape and every flag against the command's real option list and parsers (an unknown flag, a flag
 * the sweep sets itself, an empty grid or a value of the wrong type is an error that says where), and returns it with
 * flags by their long names. Whole-run checks (a size that is no power of two, …) are planSweep's.
 */
export function parseSweepSpec(value: unknown): SweepSpec {
  const spec = object(value, 'the spec');
  known(spec, ['command', 'flags', 'grid', 'random', 'then'], 'the spec');
  const level = parseLevel(spec, '');
  let then: SweepLevel | null = null;
  if (spec.then !== undefined && spec.then !== null) {
    if (level.command !== 'train') throw new Error(`sweep: then: a stacking tree starts from train runs (command "train"), got command "${level.command}"`);
    const child = object(spec.then, 'then');
    known(child, ['command', 'flags', 'grid', 'random'], 'then');
    then = parseLevel(child, 'then.', true);
    if (then.command !== 'stack') throw new Error(`sweep: then.command must be "stack" (stack runs on each train run), got "${then.command}"`);
    for (const name of ['first', 'source', 'target', 'size', 'channels']) {
      if (name in then.flags || name in then.grid || (then.random && name in then.random.flags)) {
        throw new Error(`sweep: then: "${name}" follows the train run each stack builds on (--first); leave it out`);
      }
    }
  }
  return { ...level, then };
}

function parseLevel(spec: Record<string, unknown>, prefix: string, optionalGrid = false): SweepLevel {
  if (!SWEEP_COMMANDS.includes(spec.command as SweepCommand)) {
    throw new Error(`sweep: ${prefix}command must be one of ${SWEEP_COMMANDS.join(', ')}, got ${JSON.stringify(spec.command)}`);
  }
  const command = spec.command as SweepCommand;
  const flags = new CommandFlags(command);
  const seen = new Map<string, string>();
  // Each flag once, whichever spelling, across fixed flags, grid and random search.
  const name = (flag: string, where: string) => {
    const long = flags.name(flag, where);
    const before = seen.get(long);
    if (before) throw new Error(`sweep: ${where}: --${long} is already given at ${before}`);
    seen.set(long, where);
    return long;
  };
  const fixed: Record<string, FlagValue> = {};
  for (const [flag, v] of Object.entries(object(spec.flags ?? {}, `${prefix}flags`))) {
    const where = `${prefix}flags.${flag}`;
    const long = name(flag, where);
    flags.parse(long, v, where);
    fixed[long] = v as FlagValue;
  }
  const grid: Record<string, FlagValue[]> = {};
  if (spec.grid !== undefined) {
    const entries = Object.entries(object(spec.grid, `${prefix}grid`));
    if (entries.length === 0) throw new Error(`sweep: ${prefix}grid is empty: name at least one flag with a list of values, e.g. { "seed": [1, 2, 3] }`);
    for (const [flag, values] of entries) {
      const where = `${prefix}grid.${flag}`;
      const long = name(flag, where);
      grid[long] = values_(values, where, (v, i) => flags.parse(long, v, `${where}[${i}]`));
    }
  }
  const random = spec.random === undefined || spec.random === null ? null : parseRandom(spec.random, `${prefix}random`, flags, name);
  if (!optionalGrid && spec.grid === undefined && !random) {
    throw new Error(`sweep: ${prefix ? `${prefix.slice(0, -1)} ` : 'the spec '}has neither a grid nor a random search: give "grid", e.g. { "seed": [1, 2, 3] }, or "random"`);
  }
  return { command, flags: fixed, grid, random };
}

function parseRandom(value: unknown, where: string, flags: CommandFlags, name: (flag: string, where: string) => string): RandomSearch {
  const random = object(value, where);
  known(random, ['count', 'seed', 'flags'], where);
  if (!(Number.isInteger(random.count) && (random.count as number) >= 1)) throw new Error(`sweep: ${where}.count must be an integer >= 1, got ${JSON.stringify(random.count)}`);
  if (random.seed !== undefined && !Number.isInteger(random.seed)) throw new Error(`sweep: ${where}.seed must be an integer, got ${JSON.stringify(random.seed)}`);
  const entries = Object.entries(object(random.flags, `${where}.flags`));
  if (entries.length === 0) throw new Error(`sweep: ${where}.flags is empty: name at least one flag with a range { "min", "max" } or a list of values`);
  const out: Record<string, RandomRange | FlagValue[]> = {};
  for (const [flag, range] of entries) {
    const at = `${where}.flags.${flag}`;
    const long = name(flag, at);
    if (Array.isArray(range)) {
      out[long] = values_(range, at, (v, i) => flags.parse(long, v, `${at}[${i}]`));
      continue;
    }
    const r = object(range, at);
    known(r, ['min', 'max', 'log', 'integer'], at);
    if (typeof r.min !== 'number' || typeof r.max !== 'number' || !(r.min <= r.max)) {
      throw new Error(`sweep: ${at}: expected a range { "min": a, "max": b } with numbers a <= b (or a list of values), got ${JSON.stringify(range)}`);
    }
    if (r.log !== undefined && typeof r.log !== 'boolean') throw new Error(`sweep: ${at}.log must be true or false, got ${JSON.stringify(r.log)}`);
    if (r.integer !== undefined && typeof r.integer !== 'boolean') throw new Error(`sweep: ${at}.integer must be true or false, got ${JSON.stringify(r.integer)}`);
    if (r.log && !(r.min > 0)) throw new Error(`sweep: ${at}: a log range needs min > 0, got ${r.min}`);
    // Both ends must be values the flag takes.
    flags.parse(long, r.min, `${at}.min`);
    flags.parse(long, r.max, `${at}.max`);
    out[long] = { min: r.min, max: r.max, log: r.log as boolean | undefined, integer: r.integer as boolean | undefined };
  }
  return { count: random.count as number, seed: (random.seed as number | undefined) ?? 0, flags: out };
}

function values_(values: unknown, where: string, check: (value: unknown, i: number) => unknown): FlagValue[] {
  if (!Array.isArray(values)) throw new Error(`sweep: ${where} must be a list of values, got ${JSON.stringify(values)}`);
  if (values.length === 0) throw new Error(`sweep: ${where} is an empty list: give at least one value`);
  values.forEach(check);
  const distinct = new Set(values.map((v) => JSON.stringify(v)));
  if (distinct.size !== values.length) throw new Error(`sweep: ${where} lists a value twice: ${JSON.stringify(values)}`);
  return values as FlagValue[];
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`sweep: ${where} must be an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function known(value: Record<string, unknown>, keys: string[], where: string): void {
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw new Error(`sweep: ${where}: unknown key "${key}" (expected ${keys.join(', ')})`);
}
