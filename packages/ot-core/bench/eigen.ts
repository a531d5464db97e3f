/**
 * Seconds of the float64 eigen-solver and of traceSqrtProduct (the FID kernel) on random symmetric / PSD matrices,
 * with the current traceSqrtProduct method. Machines differ: this prints, it asserts nothing about time.
 *
 * Run: pnpm --filter @not/ot-core bench   (bundles the benchmarks with tsup, then runs them in Node)
 * BENCH_SIZES=512,2048 picks the sizes (default 512,2048).
 */
import { Rng } from '../src/rng';
import { symmetricEigen, symmetricEigenvalues } from '../src/linalg/symmetric-eigen';
import { randomPsd, randomSymmetric } from '../src/linalg/test-helpers';
import { traceSqrtProduct } from '../src/linalg/trace-sqrt-product';

const sizes = (process.env.BENCH_SIZES ?? '512,2048').split(',').map(Number);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
}

const rng = new Rng(7);
symmetricEigen(randomSymmetric(64, rng)); // warm the JIT
for (const n of sizes) {
  const a = randomSymmetric(n, rng);
  const [values, tv] = time(() => symmetricEigenvalues(a));
  const [eig, te] = time(() => symmetricEigen(a));
  if (eig.values.length !== values.length) throw new Error(`eigen bench: ${eig.values.length} eigenpairs but ${values.length} eigenvalues at n=${n}`);
  const s1 = randomPsd(n, rng, n + 10);
  const s2 = randomPsd(n, rng, n + 10);
  const [, tt] = time(() => traceSqrtProduct(s1, s2));
  console.log(`n=${n}: symmetricEigenvalues ${tv.toFixed(2)} s, symmetricEigen (with vectors) ${te.toFixed(2)} s, traceSqrtProduct ${tt.toFixed(2)} s`);
}
