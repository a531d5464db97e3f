// Timings of the float64 eigen-solver and of traceSqrtProduct (the FID kernel). Skipped unless asked for:
//   NOT_BENCH=1 npx vitest run src/linalg/eigen-timing.test.ts
// NOT_BENCH_SIZES=512,2048 picks the sizes. No assertions on time: machines differ.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { symmetricEigen, symmetricEigenvalues } from './symmetric-eigen';
import { randomPsd, randomSymmetric } from './test-helpers';
import { traceSqrtProduct } from './trace-sqrt-product';

const enabled = process.env.NOT_BENCH === '1';
const sizes = (process.env.NOT_BENCH_SIZES ?? '512,2048').split(',').map(Number);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
}

describe.skipIf(!enabled)('eigen timing', () => {
  it('prints the time of symmetricEigen / symmetricEigenvalues / traceSqrtProduct', { timeout: 3_600_000 }, () => {
    const rng = new Rng(7);
    symmetricEigen(randomSymmetric(64, rng)); // warm the JIT
    for (const n of sizes) {
      const a = randomSymmetric(n, rng);
      const [values, tv] = time(() => symmetricEigenvalues(a));
      const [eig, tf] = time(() => symmetricEigen(a));
      expect(eig.values.length).toBe(values.length);
      const s1 = randomPsd(n, rng, n + 10);
      const s2 = randomPsd(n, rng, n + 10);
      const [, tt] = time(() => traceSqrtProduct(s1, s2));
      console.log(
        `n=${n}: symmetricEigenvalues ${tv.toFixed(2)} s, symmetricEigen (with vectors) ${tf.toFixed(2)} s, ` +
          `traceSqrtProduct ${tt.toFixed(2)} s`,
      );
    }
  });
});
