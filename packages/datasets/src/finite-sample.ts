/**
 * Throws naming the sampler and where the values came from when `data` holds NaN or ±Infinity. A cheap pass over host
 * data before the tensor is made: unchecked, such values surface much later as a training divergence.
 * `rowLength` values make one sample (a point's D, an image's H·W·C); `rowName(i)` names where sample i came from.
 */
export function checkFiniteSample(sampler: string, data: ArrayLike<number>, rowLength: number, rowName: (row: number) => string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v − v is 0 exactly for finite v (NaN for NaN and ±Infinity): one subtraction, no call.
    if (v - v !== 0) {
      const row = Math.floor(i / rowLength);
      throw new Error(
        `${sampler}: ${rowName(row)} holds ${v} (value ${i - row * rowLength} of ${rowLength}); samples must be finite ` +
          '(NaN or Infinity in the data, not a training problem)',
      );
    }
  }
}
