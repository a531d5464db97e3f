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

/** A set of classes: a class name, `'shoes'` (5, 7, 9), or an array of class numbers 0..9 and class names. */
export type FashionMnistClasses = FashionMnistClassName | 'shoes' | readonly (number | FashionMnistClassName)[];

/**
 * The class numbers (ascending, distinct) that a {@link FashionMnistClasses} value stands for. Throws naming `fn` for
 * an unknown name or a number outside 0..9.
 */
export function fashionMnistClassIds(classes: FashionMnistClasses, fn = 'fashionMnistClassIds'): number[] {
  const expected = `'shoes', a class name or a non-empty array of class numbers 0..9 and class names (${FASHION_MNIST_CLASSES.join(', ')})`;
  if (classes === 'shoes') return [...FASHION_MNIST_SHOES];
  if (typeof classes === 'string') return [classId(classes, fn, expected, '')];
  if (!Array.isArray(classes) || classes.length === 0) throw new Error(`${fn}: classes must be ${expected}, got ${JSON.stringify(classes)}`);
  const ids = classes.map((c: unknown) => classId(c, fn, expected, ' in it'));
  return [...new Set(ids)].sort((a, b) => a - b);
}

function classId(c: unknown, fn: string, expected: string, where: string): number {
  if (typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < FASHION_MNIST_CLASSES.length) return c;
  const id = typeof c === 'string' ? (FASHION_MNIST_CLASSES as readonly string[]).indexOf(c) : -1;
  if (id < 0) throw new Error(`${fn}: classes must be ${expected}, got ${JSON.stringify(c)}${where}`);
  return id;
}
