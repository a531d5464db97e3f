// tfjs' wasm kernels against oneDNN's (@not/onednn: convolutions and batch norm) on the cpu preset's NOT outer step and
// the reference nets' f and T steps, in one process, interleaved run by run with PyTorch (bench/torch_side.py) on 1
// and 2 threads. The same networks serve both of our columns: oneDNN's kernels are switched in and out between runs
// (useOneDnnKernels / restore).
//
//   pnpm --filter not-bench onednn                    # needs @not/onednn built (see native/onednn/README.md)
//   BENCH_QUICK=1 pnpm --filter not-bench onednn      # one run per row, for a smoke test
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, useBackend, useOneDnnKernels } from '@not/backends';
import { CPU, REFERENCE, notSteps } from './steps.mjs';
import { startTorch } from './torch-process.mjs';

const quick = !!process.env.BENCH_QUICK;

const ROWS = [
  { label: `NOT outer step (K_T = ${CPU.tIters})`, kind: 'outer', config: CPU, runs: 7 },
  { label: 'f step', kind: 'f-step', config: REFERENCE, runs: 3 },
  { label: 'T step', kind: 't-step', config: REFERENCE, runs: 3 },
];

const median = (xs) => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const fmt = (ms) => (ms === null ? '–' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const ratio = (a, b) => (a === null || b === null ? '–' : `${(a / b).toFixed(2)}×`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const report = await useBackend('wasm', { oneDnn: false });
const native = useOneDnnKernels();
native.restore();
console.log(`load at start ${load()}; ${cpus().length} cores, ${cpus()[0]?.model}`);
console.log(`${describeBackend(report)}: ${report.detail.split(';')[0]}`);
console.log(`oneDNN ${native.version} (${native.kernels.join(', ')}), ${native.threads} OpenMP threads, OpenMP wait policy ${native.waitPolicy}; ${native.path}`);
const torch = startTorch();
const versions = await torch.ask({ hello: true });
console.log(`PyTorch ${versions.torch ?? versions.skip}`);

const lines = [];
for (const row of ROWS) {
  const side = notSteps(row.config);
  const run = side.steps[row.kind];
  const times = { wasm: [], native: [], 1: [], 2: [] };
  let skip = versions.skip ?? null;
  for (let r = -1; r < (quick ? 1 : row.runs); r++) {
    // r = -1 warms both sides up (oneDNN primitive creation, first allocations, PyTorch's first pass).
    for (const variant of ['wasm', 'native']) {
      const on = variant === 'native' ? useOneDnnKernels() : undefined;
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      await run();
      const ms = performance.now() - t0;
      on?.restore();
      if (tf.memory().numTensors !== before) throw new Error(`onednn bench: ${row.label} (${variant}) leaked tensors`);
      if (r >= 0) times[variant].push(ms);
    }
    for (const threads of [1, 2]) {
      if (skip) break;
      const answer = await torch.ask({ case: { kind: row.kind, config: row.config }, threads });
      if (answer.skip) skip = answer.skip;
      else if (r >= 0) times[threads].push(answer.ms);
    }
  }
  side.dispose();
  const m = { wasm: median(times.wasm), native: median(times.native), t1: median(times[1]), t2: median(times[2]) };
  const line =
    `| ${row.label} | ${row.config.name} | ${fmt(m.wasm)} | ${fmt(m.native)} | ${fmt(m.t1)} | ${fmt(m.t2)} | ` +
    `${ratio(m.wasm, m.native)} | ${ratio(m.wasm, m.t2)} | ${ratio(m.native, m.t2)} | ${ratio(m.native, m.t1)} | ${times.wasm.length} |`;
  lines.push(line);
  console.log(line, `  (runs ms: wasm ${times.wasm.map(fmt).join(' ')}; oneDNN ${times.native.map(fmt).join(' ')}; torch 2t ${times[2].map(fmt).join(' ')})`);
}
torch.stop();
console.log(`load at end ${load()}`);
console.log(`
| step | networks | ours, tfjs wasm ms | ours, oneDNN ms | PyTorch 1t ms | PyTorch 2t ms | wasm / oneDNN | wasm / PyTorch 2t | oneDNN / PyTorch 2t | oneDNN / PyTorch 1t | runs |
|---|---|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}`);
