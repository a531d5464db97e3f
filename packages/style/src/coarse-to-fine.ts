/** Image sizes below this (short side) are skipped as scales: the deepest VGG16 layers would be a pixel or two wide. */
export const MIN_SCALE_SIDE = 32;

/**
 * The [height, width] of each scale, coarse to fine: the last has long side `size` (the aspect ratio of
 * height×width kept), each earlier one half the next; scales whose short side would fall below MIN_SCALE_SIDE are
 * dropped (the last is always kept).
 */
export function coarseToFine(height: number, width: number, size: number, scales: number): [number, number][] {
  const fn = 'coarseToFine';
  if (!(Number.isInteger(size) && size >= 16)) throw new Error(`${fn}: size must be an integer >= 16, got ${size}`);
  if (!(Number.isInteger(scales) && scales >= 1)) throw new Error(`${fn}: scales must be an integer >= 1, got ${scales}`);
  const ratio = size / Math.max(height, width);
  const out: [number, number][] = [];
  for (let k = scales - 1; k >= 0; k--) {
    const dims: [number, number] = [Math.max(1, Math.round((height * ratio) / 2 ** k)), Math.max(1, Math.round((width * ratio) / 2 ** k))];
    if (k === 0 || Math.min(...dims) >= MIN_SCALE_SIDE) out.push(dims);
  }
  return out;
}
