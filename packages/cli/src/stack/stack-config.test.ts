import { describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../train/train-config';
import { resolveStackConfig } from './stack-config';

const data = { source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes' };

describe('resolveStackConfig', () => {
  it('gives each stage `not train`\'s settings with its own seed, and the last stage its own cost', () => {
    const config = resolveStackConfig({ ...data, stageCount: 3, steps: 40, seed: 5, finalCost: 'weak' }, 'cpu', true);
    expect(config).toMatchObject({ init: 'fresh', margin: 0.01, pushforward: 'auto', first: null });
    expect(config.stages.map((s) => [s.steps, s.seed, s.cost, s.channels])).toEqual([
      [40, 5, 'strong', 1],
      [40, 6, 'strong', 1],
      [40, 7, 'weak', 1],
    ]);
    expect(config.stages[2]).toMatchObject({ gamma: 0.66, noiseSamples: 4 }); // the weak preset's
  });

  it('follows a first run: stage 1 is its configuration, later stages take its networks unless told otherwise', () => {
    const first = resolveTrainConfig({ ...data, base: 8, lr: 5e-4, steps: 250, seed: 3 }, 'cpu', true);
    const config = resolveStackConfig({ stageCount: 2, steps: 60, finalCost: 'weak', first: 'runs/base' }, 'cpu', true, first);
    expect(config.first).toBe('runs/base');
    expect(config.stages[0]).toBe(first);
    expect(config.stages[1]).toMatchObject({ ...data, base: 8, lr: 5e-4, steps: 60, seed: 1, cost: 'weak', noiseSamples: 4 });
    expect(() => resolveStackConfig({ size: 16, first: 'runs/base' }, 'cpu', true, first)).toThrow(
      "stack: --size 16 differs from the first run's (32); leave it out to follow the first run",
    );
    expect(() => resolveStackConfig({ stageCount: 1, first: 'runs/base' }, 'cpu', true, first)).toThrow('--stages must be an integer >= 2 with --first');
  });

  it('explains bad values', () => {
    expect(() => resolveStackConfig({ ...data, margin: -1 }, 'cpu', true)).toThrow('stack: --margin must be >= 0, got -1');
    expect(() => resolveStackConfig({ ...data, stageCount: 0 }, 'cpu', true)).toThrow('stack: --stages must be an integer >= 1, got 0');
  });
});
