/**
 * Seconds for FID's Fréchet distance (frechetDistance, i.e. Tr (σ1^{1/2} σ2 σ1^{1/2})^{1/2} plus traces) at
 * d = 512, 1024, 2048, three ways, in one run:
 *   new:    the WebAssembly kernels (two threads in Node; "1 thread" pins one), median of BENCH_RUNS warm calls;
 *           "first call" includes compiling the module and starting the worker;
 *   old:    the pure-JavaScript path (still the fallback where WebAssembly is missing), timed once;
 *   SciPy:  pytorch-fid's formula, trace of scipy.linalg.sqrtm(σ1·σ2), in Debian's /usr/bin/python3 (skipped with a
 *           message when it or SciPy is missing), on the same covariances, with the relative difference of the FIDs.
 * The covariances are those of a factor model of features (32 latent factors plus independent noise of decaying
 * scale: condition numbers ~1e7 at d = 2048), i.e. of infinitely many samples; BENCH_SAMPLES=N uses the sample
 * covariances of N generated features instead (N ≈ d makes them nearly singular, the hard case for sqrtm).
 * "SciPy eigh" is the same trace through symmetric eigen-decompositions (Σ √eig(σ1^{1/2} σ2 σ1^{1/2})), an
 * independent check on which of two disagreeing values is off.
 *
 * Run: pnpm --filter @not/ot-core bench   (bundles this file with tsup, then runs it in Node)
 * BENCH_SIZES=512,1024,2048  BENCH_RUNS=3  BENCH_SKIP_JS=1 (skip the old path, ~20 s at d = 2048)  BENCH_SAMPLES=N.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frechetDistance } from '../src/gaussian/gaussian-w2';
import { meanAndCovariance, type SampleMoments } from '../src/gaussian/moments';
import { Rng } from '../src/rng';
import { fixtureFeatures } from '../src/linalg/test-helpers';
import { setTraceSqrtProductMethod, type TraceSqrtProductMethod } from '../src/linalg/trace-sqrt-product';
import { wasmKernels } from '../src/linalg/wasm/wasm-kernels';

const PYTHON = '/usr/bin/python3';

// pytorch-fid's calculate_frechet_distance (its documented algorithm), timed around the whole call.
const SCIPY_SCRIPT = `
import json, sys, time
import numpy as np
import scipy.linalg as sla
d = int(sys.argv[2])
load = lambda name, shape: np.fromfile(sys.argv[1] + '/' + name, dtype='<f8').reshape(shape)
mu1, mu2 = load('mu1', (d,)), load('mu2', (d,))
s1, s2 = load('s1', (d, d)), load('s2', (d, d))
def fid(mu1, sigma1, mu2, sigma2, eps=1e-6):
    diff = mu1 - mu2
    covmean, _ = sla.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = sla.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))
t0 = time.perf_counter()
value = fid(mu1, s1, mu2, s2)
elapsed = time.perf_counter() - t0
w, v = np.linalg.eigh(s1)
h = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
m = h @ s2 @ h
cross = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)))
diff = mu1 - mu2
eigh = float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * cross)
print(json.dumps({"seconds": elapsed, "fid": value, "fidEigh": eigh}))
`;

/** Mean and covariance of the factor model x = f·W + s ∘ u (f: k factors, u: noise, both uniform on [-½, ½)). */
function factorModel(seed: number, d: number, k: number): SampleMoments {
  const rng = new Rng(seed);
  const w = new Float64Array(k * d);
  for (let i = 0; i < w.length; i++) w[i] = rng.uniform() - 0.5;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += w[q * d + i] * w[q * d + j];
      if (i === j) s += (1 / (1 + j / 8)) ** 2;
      cov[i * d + j] = cov[j * d + i] = s / 12;
    }
  }
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = rng.uniform() - 0.5;
  return { mean, cov: { rows: d, cols: d, data: cov } };
}

function seconds<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fid(m1: SampleMoments, m2: SampleMoments, method: TraceSqrtProductMethod): number {
  const prev = setTraceSqrtProductMethod(method);
  try {
    return frechetDistance(m1.mean, m1.cov, m2.mean, m2.cov);
  } finally {
    setTraceSqrtProductMethod(prev);
  }
}

interface ScipyResult {
  seconds: number;
  fid: number;
  fidEigh: number;
}

/** SCIPY_SCRIPT's result on these moments, or why it could not run. */
function scipyReference(d: number, m1: SampleMoments, m2: SampleMoments): ScipyResult | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const dir = mkdtempSync(join(tmpdir(), 'frechet-bench-'));
  try {
    const write = (name: string, x: Float64Array) =>
      writeFileSync(join(dir, name), new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    write('mu1', m1.mean);
    write('mu2', m2.mean);
    write('s1', m1.cov.data);
    write('s2', m2.cov.data);
    const run = spawnSync(PYTHON, ['-c', SCIPY_SCRIPT, dir, String(d)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) {
      const why = (run.stderr || run.error?.message || '').trim().split('\n').pop();
      return `${PYTHON} failed (${why}); install SciPy with apt-get install -y python3-scipy`;
    }
    return JSON.parse(run.stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const sizes = (process.env.BENCH_SIZES ?? '512,1024,2048').split(',').map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const skipJs = process.env.BENCH_SKIP_JS === '1';
  const samples = process.env.BENCH_SAMPLES === undefined ? undefined : Number(process.env.BENCH_SAMPLES);
  const k = wasmKernels();
  console.log(
    `frechetDistance benchmark (Node ${process.version}; WebAssembly kernels: ` +
      `${k === null ? 'unavailable, "new" is the JavaScript path' : `${k.maxThreads} thread(s)`})`,
  );
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const d of sizes) {
    const n = samples ?? 0;
    const [[m1, m2], tGen] = seconds(() =>
      samples === undefined
        ? [factorModel(2 * d + 1, d, 32), factorModel(2 * d + 2, d, 32)]
        : [
            meanAndCovariance(fixtureFeatures(2 * d + 1, n, d, 32), n, d),
            meanAndCovariance(fixtureFeatures(2 * d + 2, n, d, 32), n, d),
          ],
    );
    const [first, tFirst] = seconds(() => fid(m1, m2, 'auto'));
    const warm = Array.from({ length: runs }, () => seconds(() => fid(m1, m2, 'auto'))[1]);
    const tNew = median(warm);
    const [, tOne] = seconds(() => fid(m1, m2, k === null ? 'auto' : { kind: 'wasm', threads: 1 }));
    let tOld = NaN;
    let valueOld = NaN;
    if (!skipJs) [valueOld, tOld] = seconds(() => fid(m1, m2, 'js'));
    const ref = scipyReference(d, m1, m2);
    const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
    const ratio = (x: number, y: number) => (Number.isFinite(x) && Number.isFinite(y) ? `${(x / y).toFixed(1)}×` : '—');
    const scipySeconds = typeof ref === 'string' ? NaN : ref.seconds;
    rows.push([
      String(d),
      fmt(tNew),
      fmt(tFirst),
      fmt(tOne),
      fmt(tOld),
      fmt(scipySeconds),
      ratio(tOld, tNew),
      ratio(scipySeconds, tNew),
      first.toPrecision(12),
      typeof ref === 'string' ? '—' : (Math.abs(first - ref.fid) / Math.abs(ref.fid)).toExponential(1),
      typeof ref === 'string' ? '—' : (Math.abs(first - ref.fidEigh) / Math.abs(ref.fidEigh)).toExponential(1),
      Number.isFinite(valueOld) ? (Math.abs(first - valueOld) / Math.abs(valueOld)).toExponential(1) : '—',
    ]);
    if (typeof ref === 'string') notes.push(`d = ${d}: SciPy reference skipped: ${ref}`);
    const source = samples === undefined ? 'factor-model covariances' : `covariances of ${n} generated samples`;
    console.log(`d = ${d}: done (${source} in ${tGen.toFixed(1)} s)`);
  }
  const header = [
    'd', 'new s', 'new 1st call s', 'new 1 thread s', 'old JS s', 'SciPy sqrtm s', 'old/new', 'SciPy/new', 'FID (new)',
    'vs SciPy sqrtm', 'vs SciPy eigh', 'vs old',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log();
  console.log('seconds per frechetDistance call; the last three columns: relative difference of the FID values');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  for (const note of notes) console.log(note);
}

main();
