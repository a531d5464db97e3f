import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, fashionMnistClassIds } from './fashion-mnist-classes';

describe('fashionMnistClassIds', () => {
  it('maps names, shoes and numbers to ascending distinct class numbers', () => {
    // Zalando's published label order (README of zalandoresearch/fashion-mnist).
    expect(FASHION_MNIST_CLASSES.indexOf('sandal')).toBe(5);
    expect(FASHION_MNIST_CLASSES.indexOf('bag')).toBe(8);
    expect(fashionMnistClassIds('shoes')).toEqual([5, 7, 9]);
    expect(fashionMnistClassIds('ankle-boot')).toEqual([9]);
    expect(fashionMnistClassIds([7, 5, 7])).toEqual([5, 7]);
    expect(fashionMnistClassIds(['sneaker', 5, 'ankle-boot', 5])).toEqual([5, 7, 9]);
  });

  it('names the function and the bad class', () => {
    expect(() => fashionMnistClassIds('hat' as never, 'f')).toThrow(/^f: classes must be 'shoes', a class name or .*, got "hat"$/);
    expect(() => fashionMnistClassIds([3, 10])).toThrow(/fashionMnistClassIds: classes must be .*, got 10 in it/);
    expect(() => fashionMnistClassIds([1.5])).toThrow(/got 1\.5 in it/);
    expect(() => fashionMnistClassIds([])).toThrow(/non-empty array .*, got \[\]/);
  });
});
