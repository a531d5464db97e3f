import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../program';
import { runCli } from '../testing/run-cli';
import { flagArgs } from './command-flags';
import { planSweep, randomDraws } from './sweep-plan';
import { parseSweepSpec, readSweepSpec } from './sweep-spec';

const dir = mkdtempSync(join(tmpdir(), 'not-sweep-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = { source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes' };
const plan = (spec: unknown) => planSweep(parseSweepSpec(spec));

describe('sweep specs', () => {
  it('expands the issue\'s example into every grid point, flags by their long names, ids from the swept values', () => {
    const runs = plan({ command: 'train', flags: { ...data, steps: 200 }, grid: { seed: [1, 2, 3], lr: [0.001, 0.0005] } });
    expect(runs.map((r) => r.id)).toEqual(['seed=1,lr=0.001', 'seed=1,lr=0.0005', 'seed=2,lr=0.001', 'seed=2,lr=0.0005', 'seed=3,lr=0.001', 'seed=3,lr=0.0005']);
    expect(runs[3]).toEqual({ id: 'seed=2,lr=0.0005', command: 'train', parent: null, flags: { ...data, steps: 200, seed: 2, lr: 0.0005 }, swept: { seed: 2, lr: 0.0005 } });
    // camelCase and the command line's spelling name the same flag.
    expect(plan({ command: 'train', flags: { ...data, tIters: 3, 'max-filters': 8 }, grid: { seed: [1] } })[0].flags).toMatchObject({ 't-iters': 3, 'max-filters': 8 });
    // A switch is true or false; true passes it, false leaves it out.
    const switches = plan({ command: 'train', flags: data, grid: { noGuard: [true, false] } });
    expect(switches.map((r) => [r.id, flagArgs(r.flags).filter((a) => a.startsWith('--no'))])).toEqual([['no-guard=true', ['--no-guard']], ['no-guard=false', []]]);
  });

  it('builds a stacking tree: each stack run builds on one train run (--first), which trains once', () => {
    const runs = plan({ command: 'train', flags: { ...data, size: 32 }, grid: { seed: [1, 2] }, then: { command: 'stack', flags: { stages: 3 }, grid: { init: ['fresh', 'previous'] } } });
    expect(runs.map((r) => [r.id, r.command, r.parent])).toEqual([
      ['seed=1', 'train', null],
      ['seed=1+init=fresh', 'stack', 'seed=1'],
      ['seed=1+init=previous', 'stack', 'seed=1'],
      ['seed=2', 'train', null],
      ['seed=2+init=fresh', 'stack', 'seed=2'],
      ['seed=2+init=previous', 'stack', 'seed=2'],
    ]);
    expect(plan({ command: 'train', flags: data, grid: { seed: [1] }, then: { command: 'stack' } }).map((r) => r.id)).toEqual(['seed=1', 'seed=1+stack']);
  });

  it('draws a random search reproducibly from its seed, inside its ranges, and crosses it with the grid', () => {
    const random = { count: 20, seed: 5, flags: { lr: { min: 1e-4, max: 1e-2, log: true }, 'batch-size': { min: 4, max: 16, integer: true }, cost: ['strong', 'weak'] } };
    const draws = randomDraws(random);
    expect(randomDraws(random)).toEqual(draws);
    expect(randomDraws({ ...random, seed: 6 })).not.toEqual(draws);
    for (const d of draws) {
      expect(d.lr as number).toBeGreaterThanOrEqual(1e-4);
      expect(d.lr as number).toBeLessThanOrEqual(1e-2);
      expect(Number.isInteger(d['batch-size']) && (d['batch-size'] as number) >= 4 && (d['batch-size'] as number) <= 16).toBe(true);
      expect(['strong', 'weak']).toContain(d.cost);
    }
    // Log-uniform: about as many draws below 1e-3 (the geometric middle) as above.
    const below = randomDraws({ count: 400, seed: 1, flags: { lr: random.flags.lr } }).filter((d) => (d.lr as number) < 1e-3).length;
    expect(below).toBeGreaterThan(160);
    expect(below).toBeLessThan(240);
    const runs = plan({ command: 'train', flags: data, grid: { seed: [1, 2] }, random: { count: 3, flags: { lr: { min: 1e-4, max: 1e-3 } } } });
    expect(runs).toHaveLength(6);
    expect(new Set(runs.map((r) => r.flags.lr)).size).toBe(3);
  });

  it('reads YAML by its extension and JSON otherwise', () => {
    const yaml = join(dir, 'seeds.sweep.yaml');
    writeFileSync(yaml, 'command: train\nflags:\n  source: fashion-mnist:bag\n  target: fashion-mnist:shoes\n  batch-size: 8\ngrid:\n  seed: [1, 2]\n');
    expect(planSweep(readSweepSpec(yaml)).map((r) => r.flags)).toEqual([{ ...data, 'batch-size': 8, seed: 1 }, { ...data, 'batch-size': 8, seed: 2 }]);
    const json = join(dir, 'bad.json');
    writeFileSync(json, '{ "command": "train", ');
    expect(() => readSweepSpec(json)).toThrow(`sweep: ${json} is not valid JSON`);
    expect(() => readSweepSpec(join(dir, 'none.json'))).toThrow(`sweep: no spec file at ${join(dir, 'none.json')}`);
  });

  it('says what is wrong with a bad spec: unknown flags, flags the sweep sets, empty grids, wrong types, bad combinations', () => {
    const base = { command: 'train', flags: data, grid: { seed: [1, 2] } };
    const cases: [unknown, string | RegExp][] = [
      [{ ...base, command: 'fit' }, 'sweep: command must be one of train, stack, got "fit"'],
      [{ ...base, flags: { ...data, stepz: 3 } }, /^sweep: flags.stepz: "stepz" is not a flag of not train; its flags are source, target, cost, .*steps/],
      [{ ...base, grid: { 'stage-steps': [1] } }, /^sweep: grid.stage-steps: "stage-steps" is not a flag of not train/],
      [{ ...base, flags: { ...data, out: 'x' } }, 'sweep: flags.out: "out" is set by the sweep (each run writes to DIR/runs/<id>); leave it out'],
      [{ ...base, flags: { ...data, resume: true } }, /flags.resume: "resume" is set by the sweep/],
      [{ ...base, flags: { ...data, restart: true } }, 'sweep: flags.restart: "restart" is set by the sweep (a sweep never deletes a run; use another --out); leave it out'],
      [{ ...base, flags: { ...data, 'no-guard': 'yes' } }, 'sweep: flags.no-guard: --no-guard takes no value: expected true or false, got "yes"'],
      [{ ...base, grid: {} }, 'sweep: grid is empty: name at least one flag with a list of values, e.g. { "seed": [1, 2, 3] }'],
      [{ ...base, grid: { seed: [] } }, 'sweep: grid.seed is an empty list: give at least one value'],
      [{ ...base, grid: { seed: 3 } }, 'sweep: grid.seed must be a list of values, got 3'],
      [{ command: 'train', flags: data }, /^sweep: the spec has neither a grid nor a random search/],
      [{ ...base, flags: { ...data, steps: 'many' } }, 'sweep: flags.steps: --steps must be an integer >= 1, got "many"'],
      [{ ...base, flags: { ...data, steps: 0 } }, 'sweep: flags.steps: --steps must be an integer >= 1, got "0"'],
      [{ ...base, flags: { ...data, lr: true } }, 'sweep: flags.lr: --lr expects a string or a number, got true'],
      [{ ...base, flags: { ...data, lr: [1e-3] } }, 'sweep: flags.lr: --lr expects a string or a number, got [0.001]'],
      [{ ...base, grid: { cost: ['strong', 'medium'] } }, 'sweep: grid.cost[1]: --cost must be one of strong, weak, got "medium"'],
      [{ ...base, grid: { seed: [1, 1] } }, 'sweep: grid.seed lists a value twice: [1,1]'],
      [{ ...base, flags: { ...data, tIters: 2, 't-iters': 3 } }, 'sweep: flags.t-iters: --t-iters is already given at flags.tIters'],
      [{ ...base, grid: { seed: [1], lr: [1e-3] }, flags: { ...data, lr: 1e-3 } }, 'sweep: grid.lr: --lr is already given at flags.lr'],
      [{ ...base, random: { count: 0, flags: { lr: { min: 1, max: 2 } } } }, 'sweep: random.count must be an integer >= 1, got 0'],
      [{ ...base, random: { count: 2, flags: { lr: { min: 2, max: 1 } } } }, /^sweep: random.flags.lr: expected a range \{ "min": a, "max": b \} with numbers a <= b/],
      [{ ...base, random: { count: 2, flags: { lr: { min: 0, max: 1, log: true } } } }, 'sweep: random.flags.lr: a log range needs min > 0, got 0'],
      [{ ...base, grids: {} }, 'sweep: the spec: unknown key "grids" (expected command, flags, grid, random, then)'],
      [{ ...base, then: { command: 'train' } }, 'sweep: then.command must be "stack" (stack runs on each train run), got "train"'],
      [{ ...base, then: { command: 'stack', flags: { source: 'x' } } }, 'sweep: then: "source" follows the train run each stack builds on (--first); leave it out'],
      [{ ...base, command: 'stack', then: { command: 'stack' } }, 'sweep: then: a stacking tree starts from train runs (command "train"), got command "stack"'],
      // Checked as the command checks a whole run, before anything starts.
      [{ ...base, grid: { size: [32, 20] } }, 'sweep: run size=20: train: --size must be a power of two >= 16, got 20'],
      [{ ...base, flags: { target: data.target } }, /^sweep: run seed=1: train: --source is required/],
      [{ ...base, then: { command: 'stack', flags: { stages: 1 } } }, 'sweep: run seed=1+stack: stack: --stages must be an integer >= 2 with --first (which is stage 1), got 1'],
    ];
    for (const [spec, message] of cases) expect(() => plan(spec), JSON.stringify(spec)).toThrow(message);
  });

  it('plans the flagship\'s seeds benchmark (examples/handbags-shoes): 5 seeds, and 5 stacks on them', () => {
    const example = (name: string) => planSweep(readSweepSpec(join(__dirname, '../../../../examples/handbags-shoes', name)));
    expect(example('seeds.sweep.json').map((r) => r.id)).toEqual(['seed=0', 'seed=1', 'seed=2', 'seed=3', 'seed=4']);
    const tree = example('seeds-stacked.sweep.yaml');
    expect(tree.filter((r) => r.command === 'stack').map((r) => [r.id, r.parent, r.flags])).toEqual(
      [0, 1, 2, 3, 4].map((seed) => [`seed=${seed}+stack`, `seed=${seed}`, { stages: 2, 'stage-steps': 100, init: 'previous' }]),
    );
  });

  it('not sweep stops on a bad spec before it creates anything', async () => {
    const spec = join(dir, 'typo.json');
    writeFileSync(spec, JSON.stringify({ command: 'train', flags: { ...data, stpes: 3 }, grid: { seed: [1] } }));
    const out = join(dir, 'never');
    await expect(runCli(buildProgram(), ['sweep', spec, '--out', out])).rejects.toThrow(/^sweep: flags.stpes: "stpes" is not a flag of not train/);
    expect(existsSync(out)).toBe(false);
    writeFileSync(spec, JSON.stringify({ command: 'train', flags: data, grid: { seed: [1] } }));
    await expect(runCli(buildProgram(), ['sweep', spec, '--out', out, '--queue', 'localhost:6379'])).rejects.toThrow('--queue must be a redis:// or rediss:// URL, got "localhost:6379"');
    expect(existsSync(out)).toBe(false);
  });
});
