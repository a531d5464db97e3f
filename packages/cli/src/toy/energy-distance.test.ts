import { describe, expect, it } from 'vitest';
import { Rng } from '@not/ot-core';
import { energyDistance, energyFloor } from './energy-distance';

/** n draws of N(mean, 1) in 1-D. */
function gaussian1d(n: number, mean: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => mean + rng.normal());
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for a closed form checked to about 1%. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(x) * (1 - poly * Math.exp(-x * x));
}

/**
 * Energy distance between N(0, 1) and N(μ, 1): X − Y ~ N(−μ, 2), so E|X − Y| = (2/√π)e^{−μ²/4} + μ·erf(μ/2) and
 * E|X − X′| = 2/√π, giving 2E|X − Y| − 2·(2/√π).
 */
function shiftedGaussians(mu: number): number {
  const c = 2 / Math.sqrt(Math.PI);
  return 2 * (c * Math.exp((-mu * mu) / 4) + mu * erf(mu / 2)) - 2 * c;
}

describe('energyDistance', () => {
  it('is exactly 0 for the same points and symmetric', () => {
    const a = gaussian1d(300, 0, 1);
    const b = gaussian1d(200, 0.3, 2);
    expect(energyDistance(a, a, 1)).toBe(0);
    expect(energyDistance(a, b, 1)).toBeCloseTo(energyDistance(b, a, 1), 12);
  });

  it('is near 0 for two samples of one distribution (about mean|a − a′|·(1/n + 1/m))', () => {
    const n = 2000;
    const floor = energyDistance(gaussian1d(n, 0, 3), gaussian1d(n, 0, 4), 1);
    expect(floor).toBeGreaterThan(0);
    expect(floor).toBeLessThan(0.01);
  });

  it('matches the closed form for shifted 1-D Gaussians and grows with the shift', () => {
    const n = 2000;
    const a = gaussian1d(n, 0, 5);
    const values = [0.25, 0.5, 1, 2].map((mu) => {
      const value = energyDistance(a, gaussian1d(n, mu, 6), 1);
      expect(Math.abs(value - shiftedGaussians(mu))).toBeLessThan(0.005 + 0.02 * shiftedGaussians(mu));
      return value;
    });
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
  });

  it('measures Euclidean distances in 2-D: a rotation of both clouds changes nothing', () => {
    const rng = new Rng(7);
    const a = Float64Array.from({ length: 400 }, () => rng.normal());
    const b = Float64Array.from({ length: 400 }, () => 1 + 0.5 * rng.normal());
    const rotate = (p: Float64Array) => p.map((_, i) => (i % 2 === 0 ? -p[i + 1] : p[i - 1]));
    expect(energyDistance(rotate(a), rotate(b), 2)).toBeCloseTo(energyDistance(a, b, 2), 10);
  });

  it('gives NaN for non-finite points and names the argument for bad shapes', () => {
    expect(energyDistance([0, 1, Number.NaN, 2], [0, 0], 2)).toBeNaN();
    expect(() => energyDistance([0, 1, 2], [0, 0], 2)).toThrow(
      'energyDistance: a must hold a non-empty whole number of 2-D points, got 3 values',
    );
    expect(() => energyDistance([0, 1], [], 2)).toThrow('energyDistance: b must hold');
    expect(() => energyDistance([0, 1], [0, 1], 0)).toThrow('energyDistance: dim must be a positive integer, got 0');
  });
});

describe('energyFloor', () => {
  it('is 2·E|y − y′|/n: 4/(n√π) for N(0, 1), and the mean energy distance between independent n-samples', () => {
    const c = 2 / Math.sqrt(Math.PI); // E|X − X′| for X, X′ ~ N(0, 1)
    expect(energyFloor(gaussian1d(3000, 0, 8), 1, 100) / ((2 * c) / 100)).toBeCloseTo(1, 1);
    // Independent check by simulation: the average over 300 pairs of 40-point samples.
    let sum = 0;
    for (let r = 0; r < 300; r++) sum += energyDistance(gaussian1d(40, 0, 100 + 2 * r), gaussian1d(40, 0, 101 + 2 * r), 1);
    expect(sum / 300 / ((2 * c) / 40)).toBeGreaterThan(0.9);
    expect(sum / 300 / ((2 * c) / 40)).toBeLessThan(1.1);
  });

  it('names the argument for bad input', () => {
    expect(() => energyFloor([0, 1], 2, 10)).toThrow('energyFloor: points must hold at least 2 points');
    expect(() => energyFloor([0, 1, 2, 3], 2, 0)).toThrow('energyFloor: n must be a positive integer, got 0');
    expect(energyFloor([0, Number.NaN, 2, 3], 2, 10)).toBeNaN();
  });
});
