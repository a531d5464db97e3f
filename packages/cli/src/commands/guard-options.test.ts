import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { DivergenceGuard } from '@not/ot-core';
import { addGuardOptions, guardFromFlags } from './guard-options';

const parse = (...args: string[]) => {
  const command = addGuardOptions(new Command('train').exitOverride().configureOutput({ writeErr: () => {} }));
  command.parse(args, { from: 'user' });
  return guardFromFlags(command.opts());
};

describe('guard flags', () => {
  it('pass the thresholds given to the guard, and leave the rest to its defaults', () => {
    const options = parse('--guard-spike', '4', '--guard-window', '20', '--guard-lr-factor', '0.25', '--guard-collapse-patience', '8');
    expect(options).toEqual({ spike: 4, window: 20, lrFactor: 0.25, collapsePatience: 8 });
    const guard = new DivergenceGuard(options || undefined);
    expect([guard.spike, guard.window, guard.lrFactor, guard.collapsePatience, guard.warmup, guard.maxRollbacks]).toEqual([4, 20, 0.25, 8, 10, 5]);
    expect(parse()).toEqual({});
  });

  it('--no-guard turns the guard off', () => {
    expect(parse('--no-guard')).toBe(false);
  });

  it('refuse values the guard cannot take, naming the flag', () => {
    expect(() => parse('--guard-window', '2')).toThrow('--guard-window must be an integer >= 3, got "2"');
    expect(() => parse('--guard-spike', 'high')).toThrow('--guard-spike must be a number, got "high"');
    expect(() => new DivergenceGuard(parse('--guard-lr-factor', '2') || undefined)).toThrow('DivergenceGuard: lrFactor must lie in (0, 1), got 2');
  });
});
