import { Command, type Option } from 'commander';
import { registerStack } from '../commands/stack';
import { registerTrain } from '../commands/train';

/** The commands a sweep runs. */
export const SWEEP_COMMANDS = ['train', 'stack'] as const;
export type SweepCommand = (typeof SWEEP_COMMANDS)[number];

/** A flag's value in a spec, as JSON or YAML give it. */
export type FlagValue = string | number | boolean;

/** Flags the sweep sets itself on every run: a spec may not. */
const SET_BY_SWEEP: Record<string, string> = {
  out: 'each run writes to DIR/runs/<id>',
  resume: 'a run taken again always resumes from its checkpoint',
  restart: 'a sweep never deletes a run; use another --out',
  json: 'the sweep reads each run\'s result itself',
  help: 'not a run setting',
};

/**
 * The options of `not <command>` as the command line has them (the real option list, so a sweep accepts exactly what
 * the command does), by long name without dashes ("t-iters") and by camelCase ("tIters").
 */
export class CommandFlags {
  private readonly byName = new Map<string, Option>();

  constructor(readonly command: SweepCommand) {
    const program = new Command('not');
    (command === 'train' ? registerTrain : registerStack)(program);
    for (const option of program.commands[0].options) {
      const long = option.long?.replace(/^--/, '');
      if (!long) continue;
      this.byName.set(long, option);
      // camelCase of the long name: --no-guard's attribute is "guard" (true by default), so it is "noGuard" here.
      this.byName.set(long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), option);
    }
  }

  /** The long name ("t-iters") of a flag spelled either way; an error names `where` and lists the flags there are. */
  name(flag: string, where: string): string {
    const option = this.byName.get(flag);
    if (!option) {
      const known = [...new Set([...this.byName.values()].map((o) => o.long!.slice(2)))].filter((n) => !(n in SET_BY_SWEEP));
      throw new Error(`sweep: ${where}: "${flag}" is not a flag of not ${this.command}; its flags are ${known.join(', ')}`);
    }
    const long = option.long!.slice(2);
    if (long in SET_BY_SWEEP) throw new Error(`sweep: ${where}: "${flag}" is set by the sweep (${SET_BY_SWEEP[long]}); leave it out`);
    return long;
  }

  /**
   * Checks a value with the command's own parser (so the error is the one the command line gives) and returns it
   * parsed, as the command's action would see it.
   */
  parse(name: string, value: unknown, where: string): unknown {
    const option = this.option(name);
    const fail = (what: string): never => {
      throw new Error(`sweep: ${where}: ${what}`);
    };
    // A switch (commander's isBoolean leaves out --no-* ones): no value.
    if (!option.required && !option.optional) {
      if (typeof value !== 'boolean') fail(`--${name} takes no value: expected true or false, got ${JSON.stringify(value)}`);
      return value;
    }
    if (typeof value !== 'string' && typeof value !== 'number') fail(`--${name} expects a string or a number, got ${JSON.stringify(value)}`);
    const text = String(value);
    if (option.argChoices && !option.argChoices.includes(text)) fail(`--${name} must be one of ${option.argChoices.join(', ')}, got ${JSON.stringify(value)}`);
    if (!option.parseArg) return text;
    try {
      return option.parseArg(text, undefined);
    } catch (error) {
      return fail((error as Error).message);
    }
  }

  /** The parsed options (by attribute name, as commander gives an action) of a run's flags, defaults included. */
  options(flags: Record<string, FlagValue>): Record<string, unknown> {
    const options: Record<string, unknown> = {};
    for (const option of this.byName.values()) if (option.defaultValue !== undefined) options[option.attributeName()] = option.defaultValue;
    for (const [name, value] of Object.entries(flags)) {
      const option = this.option(name);
      const parsed = this.parse(name, value, `--${name}`);
      // "no-guard": true sets commander's `guard` to false.
      options[option.attributeName()] = option.negate ? !parsed : parsed;
    }
    return options;
  }

  private option(name: string): Option {
    const option = this.byName.get(name);
    if (!option) throw new Error(`CommandFlags.option: no flag "${name}" in not ${this.command}`);
    return option;
  }
}

/** A run's flags as command-line arguments: `--name value`, a true boolean as `--name`, a false one left out. */
export function flagArgs(flags: Record<string, FlagValue>): string[] {
  return Object.entries(flags).flatMap(([name, value]) => (value === true ? [`--${name}`] : value === false ? [] : [`--${name}`, String(value)]));
}
