import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { symmetrizedCopy } from './matrix';
import { eigenRaw } from './symmetric-eigen';
import { symmetricEigenvaluesWasm } from './symmetric-eigenvalues-wasm';
import { randomPsd, randomSymmetric } from './test-helpers';
import { wasmKernels } from './wasm/wasm-kernels';

describe.skipIf(wasmKernels() === null)('symmetricEigenvaluesWasm', () => {
  it('matches the JavaScript solver on indefinite, PSD and rank-deficient matrices, on one and two threads', () => {
    const rng = new Rng(70);
    const cases = [1, 2, 3, 17, 64, 65, 130, 257].flatMap((n) => [
      randomSymmetric(n, rng),
      randomPsd(n, rng, Math.max(1, n >> 2)),
    ]);
    for (const a of cases) {
      const n = a.rows;
      const want = eigenRaw(symmetrizedCopy(a.data, n), n, false, 'f').values;
      const top = Math.max(...want.map(Math.abs));
      for (const threads of [1, 2]) {
        const got = symmetricEigenvaluesWasm(a.data, n, 'f', threads)!;
        expect(got.length).toBe(n);
        for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-12 * top);
      }
    }
  });
});
