import { describe, expect, it } from 'vitest';
import { argumentError, checkFinite, checkInteger, checkPositiveInt, describeValue } from './checks';

describe('argument checks', () => {
  it('pass good values through', () => {
    expect(checkPositiveInt('f', 'n', 3)).toBe(3);
    expect(checkInteger('f', 'k', 0, { min: 0 })).toBe(0);
    expect(checkInteger('f', 'k', -4)).toBe(-4);
    expect(checkFinite('f', 'x', -2.5, { max: 0 })).toBe(-2.5);
    expect(checkFinite('f', 'x', 1, { min: 1, max: 1 })).toBe(1);
  });

  it('name the function, the argument, what was expected and what came', () => {
    expect(() => checkPositiveInt('Rng.int', 'n', 0)).toThrow(/^Rng\.int: n must be a positive integer, got 0$/);
    expect(() => checkPositiveInt('f', 'n', 1.5)).toThrow('f: n must be a positive integer, got 1.5');
    expect(() => checkPositiveInt('f', 'n', '3')).toThrow('f: n must be a positive integer, got "3"');
    expect(() => checkInteger('f', 'k', -1, { min: 0 })).toThrow('f: k must be an integer >= 0, got -1');
    expect(() => checkInteger('f', 'k', 11, { min: 0, max: 10 })).toThrow('f: k must be an integer in [0, 10], got 11');
    expect(() => checkFinite('f', 'x', NaN)).toThrow('f: x must be a finite number, got NaN');
    expect(() => checkFinite('f', 'x', Infinity, { min: 0 })).toThrow('f: x must be a finite number >= 0, got Infinity');
    expect(() => checkFinite('f', 'x', 2, { max: 1 })).toThrow('f: x must be a finite number <= 1, got 2');
    expect(argumentError('g', 'opts', 'an object', null).message).toBe('g: opts must be an object, got null');
  });

  it('describe values briefly', () => {
    expect([undefined, true, 10n, 'a', [1, 'b'], new Array(9).fill(0), {}, new Float32Array(2), () => 0].map(describeValue)).toEqual([
      'undefined', 'true', '10n', '"a"', '[1, "b"]', 'an array of 9', 'an object', 'a Float32Array', 'a function',
    ]);
  });
});
