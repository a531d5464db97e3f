// Our training steps, push-forward and FID features against PyTorch CPU's, side by side: the same networks, batch
// sizes and steps, each side in one process (this one and bench/torch_side.py), runs interleaved (ours, PyTorch on 1
// thread, PyTorch on 2 threads, again) so that both see the same machine. Prints median ms and the ratios ours /
// PyTorch, and writes bench/RESULTS.md. Ours runs on the default backend (`auto`: tfjs-node where installed, else
// wasm on every core): the PyTorch column with as many threads as ours is the like-for-like one.
//
//   pnpm bench                       # everything (this side by side: about 18 minutes on 2 cores)
//   BENCH_QUICK=1 pnpm --filter not-bench start    # one run per row, for a smoke test
//   BENCH_PYTHON=/usr/bin/python3    # the Python with torch (default: /usr/bin/python3 when present, else python3)
// WebGPU rows follow, on a hardware adapter only (skipped with a note elsewhere); the GPU side by side is bench/gpu/.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, useBackend } from '@not/backends';
import { FidInceptionV3, fidInceptionWeightShapes } from '@not/metrics';
import { CPU, REFERENCE, notSteps } from './steps.mjs';
import { startTorch } from './torch-process.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const quick = !!process.env.BENCH_QUICK;

// The reference networks also at the reference's batch 64, in the layout `not train` picks on wasm to fit its 4 GiB heap.
const REFERENCE_64 = { ...REFERENCE, name: 'reference nets, batch 64, recomputed, f in passes of 16', batch: 64, memory: { microBatch: 16 } };
const weak = (config) => ({ ...config, name: `${config.name}, weak K=8`, noiseSamples: 8 });

// Batch 64 first, on a fresh heap (wasm's never shrinks: its size after a row is the peak so far). One timed run each
// and no warm-up: a step takes minutes.
const ROWS = [
  { label: 'T step', kind: 't-step', config: REFERENCE_64, runs: 1, warmUp: false, heap: true },
  { label: 'f step', kind: 'f-step', config: REFERENCE_64, runs: 1, warmUp: false, heap: true },
  { label: 'T step', kind: 't-step', config: CPU, runs: 9 },
  { label: 'f step', kind: 'f-step', config: CPU, runs: 9 },
  { label: `NOT outer step (K_T = ${CPU.tIters})`, kind: 'outer', config: CPU, runs: 5 },
  { label: 'T step', kind: 't-step', config: weak(CPU), runs: 5 },
  { label: `NOT outer step (K_T = ${CPU.tIters})`, kind: 'outer', config: weak(CPU), runs: 3 },
  { label: 'push-forward, batch 64', kind: 'push', config: CPU, runs: 9, images: CPU.pushBatch },
  { label: 'T step', kind: 't-step', config: REFERENCE, runs: 3 },
  { label: 'f step', kind: 'f-step', config: REFERENCE, runs: 3 },
  { label: 'push-forward, batch 64', kind: 'push', config: REFERENCE, runs: 3, images: REFERENCE.pushBatch },
  { label: 'FID Inception features, 8 images 64×64', kind: 'fid', config: { name: 'pytorch-fid InceptionV3', size: 64, batch: 8 }, runs: 5, images: 8 },
];

/** Our side of a row: `run` runs it once, `dispose` frees what it built. */
function ours(row) {
  const c = row.config;
  if (row.kind === 'fid') {
    const weights = Object.fromEntries(
      fidInceptionWeightShapes().map(([key, shape], i) => [key, key.endsWith('running_var') ? tf.ones(shape) : tf.randomNormal(shape, 0, 0.05, 'float32', i)]),
    );
    const net = FidInceptionV3.fromWeights(weights, { batchSize: c.batch });
    tf.dispose(Object.values(weights));
    const x = tf.randomUniform([c.batch, c.size, c.size, 3], -1, 1);
    const run = async () => {
      const features = net.features(x);
      await features.data();
      features.dispose();
    };
    return { run, dispose: () => (net.dispose(), x.dispose()) };
  }
  const { steps, dispose } = notSteps(c);
  return { run: steps[row.kind], dispose };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms === null ? '–' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const ratio = (a, b) => (a === null || b === null ? '–' : `${(a / b).toFixed(2)}×`);

// This table is against PyTorch CPU: a CPU backend (auto would take a hardware WebGPU adapter; its rows come last).
let report = await useBackend('auto');
if (report.name === 'webgpu') report = await useBackend('wasm');
console.error(describeBackend(report));
const ourThreads = Number(/(\d+) threads?/.exec(report.detail)?.[1] ?? 1);
const torch = startTorch();
const versions = await torch.ask({ hello: true });
const results = [];
for (const row of ROWS) {
  const side = ours(row);
  const case_ = { kind: row.kind, config: row.config };
  const times = { ours: [], 1: [], 2: [] };
  let skip = versions.skip ?? null;
  const runs = quick ? 1 : row.runs;
  for (let r = row.warmUp === false ? 0 : -1; r < runs; r++) {
    // r = -1 is the warm-up of both sides (kernel compilation, first allocations), not counted.
    const t0 = performance.now();
    const before = tf.memory().numTensors;
    await side.run();
    if (tf.memory().numTensors !== before) throw new Error(`bench: ${row.label} (${row.config.name}) leaked ${tf.memory().numTensors - before} tensors`);
    if (r >= 0) times.ours.push(performance.now() - t0);
    for (const threads of [1, 2]) {
      if (skip) break;
      const answer = await torch.ask({ case: case_, threads });
      if (answer.skip) skip = answer.skip;
      else if (r >= 0) times[threads].push(answer.ms);
    }
  }
  side.dispose();
  const heap = row.heap ? tf.backend().wasm?.HEAPU8.buffer.byteLength : undefined;
  const result = { row, ours: median(times.ours), torch1: skip ? null : median(times[1]), torch2: skip ? null : median(times[2]), skip, runs, heap };
  results.push(result);
  console.log(
    `${`${row.label} (${row.config.name})`.padEnd(58)} ours ${fmt(result.ours).padStart(7)} ms   torch 1t ${fmt(result.torch1).padStart(7)}  2t ${fmt(result.torch2).padStart(7)}   ours/torch ${ratio(result.ours, result.torch1)} (1t) ${ratio(result.ours, result.torch2)} (2t)${heap ? `   wasm heap ${(heap / 2 ** 30).toFixed(2)} GiB` : ''}${skip ? `   torch skipped: ${skip}` : ''}`,
  );
}
torch.stop();

const tfjsVersion = JSON.parse(readFileSync(join(here, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version;
const perSecond = (ms, images) => (ms === null ? '–' : (images / (ms / 1000)).toFixed(1));
const table = results.map(({ row, ours: o, torch1, torch2, skip, runs, heap }) => {
  const cells = [`${row.label}`, row.config.name, fmt(o), fmt(torch1), fmt(torch2), ratio(o, torch1), ratio(o, torch2)];
  if (row.images) cells[0] += ` (img/s: ours ${perSecond(o, row.images)}, torch 1t ${perSecond(torch1, row.images)})`;
  if (heap) cells[0] += ` (wasm heap so far ${(heap / 2 ** 30).toFixed(2)} GiB of 4)`;
  return `| ${cells.join(' | ')} | ${runs}${skip ? ` (torch skipped: ${skip})` : ''} |`;
});
const markdown = `# Side-by-side: NOT.ts against PyTorch CPU

Written by \`pnpm bench\` (bench/side-by-side.mjs with bench/torch_side.py) on ${new Date().toISOString().slice(0, 10)}.
Median milliseconds of one run (after one warm-up; the batch-64 rows: one run, no warm-up), the two sides interleaved
run by run.

- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB
- Ours: Node ${process.version}, @tensorflow/tfjs-core ${tfjsVersion}, ${describeBackend(report)}, ${report.detail.split(';')[0]}
- PyTorch: ${versions.torch ?? `not run (${versions.skip})`} (Python ${versions.python ?? '–'}), CPU, torch.set_num_threads(1 | 2)
- Command: \`pnpm bench\`${quick ? ' with BENCH_QUICK=1 (one run per row)' : ''}

| step | networks | ours ms (${ourThreads} thread${ourThreads === 1 ? '' : 's'}) | PyTorch 1 thread ms | PyTorch 2 threads ms | ours / PyTorch 1t | ours / PyTorch 2t | runs |
|---|---|---|---|---|---|---|---|
${table.join('\n')}

cpu preset: 32×32×1, UNet base 16, ResNet 16 (cap 64), batch 16. Reference nets: 64×64×3, UNet base 48 (9.7M
parameters), ResNet 64 (cap 512, 22.9M), batch 16; at batch 64 ours recomputes activations and splits f's passes into
micro-batches of 16 (\`not train\`'s plan for wasm's heap; the same updates), PyTorch runs them as they are. Weak rows: 8 noise draws per input (128 images through T per step),
γ = 0.66. A T step is T(x), the cost, f(T(x)) and T's Adam update; an f step is f(T(x)) without T's gradient, f(y) and
f's update; an outer step is K_T T steps and one f step. The FID row runs pytorch-fid's InceptionV3 (resize to 299,
pool3 features) with random weights of its shapes on both sides.

Where oneDNN's kernels load (@not/onednn, built at install where oneDNN is; the backend line above says), our
convolutions and batch norms run on them; \`NOT_ONEDNN=off pnpm bench\` gives tfjs' own kernels, and
\`pnpm --filter not-bench onednn\` times both against PyTorch in one run (bench/onednn.mjs). Where our time goes
(convolutions against the other kernels, the costliest named): \`pnpm --filter not-bench conv-profile -- reference\`
(bench/conv-profile.mjs).
`;
writeFileSync(join(here, 'RESULTS.md'), markdown);
console.error(`wrote ${join(here, 'RESULTS.md')}`);

// WebGPU rows: the cpu preset's steps on a hardware adapter (the reference configuration against PyTorch CUDA is
// bench/gpu/). Skipped without one: a software adapter (lavapipe) is slower than wasm and says nothing of a GPU.
const gpu = await useBackend('auto').catch((error) => ({ name: 'none', why: error.message }));
if (gpu.name !== 'webgpu') {
  const why = gpu.skipped?.find((s) => s.name === 'webgpu')?.why ?? gpu.why;
  console.log(`webgpu rows skipped: ${why ?? 'no hardware WebGPU adapter'}`);
} else {
  const { gpuSteps, timeRuns } = await import('./gpu/webgpu-steps.mjs');
  console.error(describeBackend(gpu));
  const config = { ...CPU, name: 'cpu preset on WebGPU', fidBatch: 8 };
  const { steps, dispose } = gpuSteps(config);
  for (const [kind, label] of [['t-step', 'T step'], ['f-step', 'f step'], ['outer', `NOT outer step (K_T = ${CPU.tIters})`], ['push', 'push-forward, batch 64']]) {
    const { median } = await timeRuns(steps[kind], { runs: quick ? 1 : 9, warmUp: 2 });
    console.log(`${`${label} (${config.name})`.padEnd(58)} webgpu ${fmt(median).padStart(7)} ms`);
  }
  dispose();
  gpu.release();
}
