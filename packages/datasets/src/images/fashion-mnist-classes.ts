// Fashion-MNIST's labels: class names and numbers, and the class sets callers name (no file access: browser-safe).

/** Fashion-MNIST's class names, indexed by class number (0 t-shirt … 9 ankle-boot). */
export const FASHION_MNIST_CLASSES = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle-boot',
] as const;

/** One Fashion-MNIST class name. */
export type FashionMnistClassName = (typeof FASHION_MNIST_CLASSES)[number];

/** The classes that `'shoes'` stands for: sandal (5), sneaker (7), ankle boot (9). */
export const FASHION_MNIST_SHOES: readonly number[] = [5, 7, 9];

/** Which images to keep: a class name, `'shoes'` (5, 7, 9), or class numbers 0..9. */
export type FashionMnistClasses = FashionMnistClassName | 'shoes' | readonly number[];

/**
 * The class numbers (ascending, distinct) that a {@link FashionMnistClasses} value stands for. Throws naming `fn` for
 * an unknown name or a number outside 0..9.
 */
export function fashionMnistClassIds(classes: FashionMnistClasses, fn = 'fashionMnistClassIds'): number[] {
  if (typeof classes === 'string') {
    if (classes === 'shoes') return [...FASHION_MNIST_SHOES];
    const id = (FASHION_MNIST_CLASSES as readonly string[]).indexOf(classes);
    if (id < 0) {
      throw new Error(`${fn}: classes must be 'shoes', a class name (${FASHION_MNIST_CLASSES.join(', ')}) or class numbers 0..9, got ${JSON.stringify(classes)}`);
    }
    return [id];
  }
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new Error(`${fn}: classes must be 'shoes', a class name or a non-empty array of class numbers 0..9, got ${JSON.stringify(classes)}`);
  }
  for (const c of classes) {
    if (!(Number.isInteger(c) && c >= 0 && c <= 9)) throw new Error(`${fn}: classes must hold class numbers 0..9, got ${JSON.stringify(c)}`);
  }
  return [...new Set(classes as number[])].sort((a, b) => a - b);
}
