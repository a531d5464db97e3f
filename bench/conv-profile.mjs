// Where a training step's time goes on our backend: convolutions (tfjs' wasm kernels, or oneDNN's where @not/onednn
// is built) against the other kernels, the ones that take most named. Profiles the same steps as side-by-side.mjs.
// NOT_ONEDNN=off profiles tfjs' own convolutions.
//
//   pnpm --filter not-bench conv-profile                # cpu preset T and f steps (about a minute)
//   pnpm --filter not-bench conv-profile -- reference   # the reference networks too (about five more minutes)
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, useBackend } from '@not/backends';
import { CPU, REFERENCE, notSteps } from './steps.mjs';

const configs = process.argv.includes('reference') ? [CPU, REFERENCE] : [CPU];
const report = await useBackend('auto');
console.log(describeBackend(report));

/** Median ms of `runs` timed calls after one untimed. */
async function median(run, runs) {
  await run();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1];
}

/** Kernels that are convolutions, whoever computes them (wasm's XNNPACK or oneDNN). */
const CONVOLUTIONS = new Set(['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']);

/** 2·outputs·taps·inChannels of a forward convolution record of tf.profile. */
const convFlops = (k) => 2 * k.outputShapes[0].reduce((a, b) => a * b, 1) * k.inputShapes[1].slice(0, 3).reduce((a, b) => a * b, 1);

// The best the forward convolution does: a well-shaped 3×3 layer (GFLOP/s).
const best = await (async () => {
  const x = tf.randomNormal([16, 32, 32, 64]);
  const w = tf.randomNormal([3, 3, 64, 64]);
  const ms = await median(() => tf.conv2d(x, w, 1, 'same').dispose(), 9);
  tf.dispose([x, w]);
  return (2 * 16 * 32 * 32 * 64 * 9 * 64) / ms / 1e6;
})();
console.log(`Best convolution rate: ${best.toFixed(1)} GFLOP/s (3x3, 64 -> 64 channels, 16x32x32)\n`);

console.log('| networks | step | ms | convolutions ms (share) | forward conv GFLOP/s | other kernels ms | the other kernels that take most (ms) |');
console.log('|---|---|---|---|---|---|---|');
for (const config of configs) {
  const { steps, dispose } = notSteps(config);
  for (const kind of ['t-step', 'f-step']) {
    const ms = await median(steps[kind], config === CPU ? 5 : 1);
    const profile = await tf.profile(() => steps[kind]());
    const byName = new Map();
    for (const k of profile.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + k.kernelTimeMs);
    const sum = (ks, f) => ks.reduce((s, k) => s + f(k), 0);
    const forward = profile.kernels.filter((k) => k.name === 'Conv2D' || k.name === 'FusedConv2D');
    const convMs = sum(profile.kernels.filter((k) => CONVOLUTIONS.has(k.name)), (k) => k.kernelTimeMs);
    const otherMs = sum(profile.kernels, (k) => (CONVOLUTIONS.has(k.name) ? 0 : k.kernelTimeMs));
    const top = [...byName].filter(([name]) => !CONVOLUTIONS.has(name)).sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(
      `| ${config.name} | ${kind} | ${ms.toFixed(0)} | ${convMs.toFixed(0)} (${((100 * convMs) / (convMs + otherMs)).toFixed(0)}%) | ` +
        `${((sum(forward, convFlops) / sum(forward, (k) => k.kernelTimeMs)) / 1e6).toFixed(1)} | ${otherMs.toFixed(0)} | ` +
        `${top.map(([name, t]) => `${name} ${t.toFixed(0)}`).join(', ')} |`,
    );
  }
  dispose();
}
