// Our side of the GPU bench (bench/gpu/README.md): NOT's steps at the reference configuration on WebGPU, median ms,
// one JSON object on stdout. Refuses a software adapter unless BENCH_ALLOW_SOFTWARE=1 (lavapipe: a smoke test).
//
//   node webgpu-side.mjs [--quick] > webgpu.json
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, useBackend } from '@not/backends';
import { GPU_REFERENCE, gpuSteps, timeRuns } from './webgpu-steps.mjs';

const quick = process.argv.includes('--quick') || !!process.env.BENCH_QUICK;
const small = !!process.env.BENCH_SMALL; // tiny nets, for a smoke test of the script on a software adapter
const config = small ? { ...GPU_REFERENCE, name: 'small (smoke test)', size: 16, base: 4, filters: 4, maxFilters: 16, batch: 4, tIters: 2, pushBatch: 4, fidBatch: 2 } : GPU_REFERENCE;

const report = await useBackend('webgpu');
console.error(describeBackend(report));
if (report.adapter?.software && !process.env.BENCH_ALLOW_SOFTWARE) {
  report.release();
  throw new Error(`webgpu-side: the adapter is software (${report.detail}); timings would say nothing of a GPU (BENCH_ALLOW_SOFTWARE=1 to run anyway)`);
}

const ROWS = [
  { kind: 't-step', label: 'T step', runs: 9 },
  { kind: 'f-step', label: 'f step', runs: 9 },
  { kind: 'outer', label: `outer step (K_T = ${config.tIters})`, runs: 5 },
  { kind: 'push', label: `push-forward, batch ${config.pushBatch}`, runs: 9, images: config.pushBatch },
  { kind: 'fid', label: `FID Inception features, ${config.fidBatch} images ${config.size}×${config.size}`, runs: 5, images: config.fidBatch },
];

const { steps, dispose } = gpuSteps(config);
const rows = [];
for (const row of ROWS) {
  const runs = quick ? 1 : row.runs;
  const { median, times } = await timeRuns(steps[row.kind], { runs, warmUp: quick ? 1 : 2 });
  rows.push({ ...row, runs, ms: median, times });
  console.error(`${row.label.padEnd(50)} ${median.toFixed(1).padStart(9)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})`);
}
dispose();
const memory = tf.memory();
report.release();
process.stdout.write(
  `${JSON.stringify({
    config,
    rows,
    backend: describeBackend(report),
    adapter: report.adapter,
    node: process.version,
    cpu: cpus()[0]?.model,
    tensorsLeft: memory.numTensors,
  })}\n`,
);
