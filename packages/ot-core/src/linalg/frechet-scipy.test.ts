import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureFeatures } from './test-helpers';
import { setTraceSqrtProductMethod, traceSqrtProduct, type TraceSqrtProductMethod } from './trace-sqrt-product';
import { frechetDistance } from '../gaussian/gaussian-w2';
import { meanAndCovariance } from '../gaussian/moments';

// FID against SciPy (pytorch-fid's formula: trace of scipy.linalg.sqrtm(σ1·σ2)) on covariances of generated
// features; fixtures/make-frechet-fixture.py writes the values, fixtureFeatures regenerates its features bit for bit.
interface Case {
  name: string;
  d: number;
  k: number;
  x1: { seed: number; n: number };
  x2: { seed: number; n: number };
  fid: number;
  cross: number;
  crossEigh: number;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/frechet-scipy.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

function moments(c: Case) {
  const m1 = meanAndCovariance(fixtureFeatures(c.x1.seed, c.x1.n, c.d, c.k), c.x1.n, c.d);
  const m2 = meanAndCovariance(fixtureFeatures(c.x2.seed, c.x2.n, c.d, c.k), c.x2.n, c.d);
  return { m1, m2 };
}

const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);

const methods: [string, TraceSqrtProductMethod][] = [
  ['default', 'auto'],
  ['JavaScript', 'js'],
  ['WebAssembly, one thread', { kind: 'wasm', threads: 1 }],
  ['WebAssembly, two threads', { kind: 'wasm', threads: 2 }],
];

describe('frechetDistance against SciPy', () => {
  afterEach(() => {
    setTraceSqrtProductMethod('auto');
  });

  for (const [label, method] of methods) {
    it(`matches pytorch-fid's SciPy value to 1e-6 relative (${label})`, () => {
      setTraceSqrtProductMethod(method);
      for (const c of fixture.cases) {
        const { m1, m2 } = moments(c);
        const fid = frechetDistance(m1.mean, m1.cov, m2.mean, m2.cov);
        const cross = traceSqrtProduct(m1.cov, m2.cov);
        expect(rel(fid, c.fid), c.name).toBeLessThan(1e-6);
        expect(rel(cross, c.cross), c.name).toBeLessThan(1e-6);
        // Full rank: both SciPy routes and ours agree to rounding. Singular: SciPy's sqrtm adds √(rounding) per
        // null direction (~1e-8), which the factorizations here drop.
        const full = c.x1.n > c.d && c.x2.n > c.d;
        expect(rel(cross, c.crossEigh), c.name).toBeLessThan(full ? 1e-11 : 1e-7);
      }
    });
  }

  it('gives the same value on every path, to 1e-12 relative', () => {
    for (const c of fixture.cases) {
      const { m1, m2 } = moments(c);
      const values = methods.map(([, method]) => {
        setTraceSqrtProductMethod(method);
        return traceSqrtProduct(m1.cov, m2.cov);
      });
      for (const v of values) expect(rel(v, values[1]), c.name).toBeLessThan(1e-12);
    }
  });
});
