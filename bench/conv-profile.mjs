// Where a training step's time goes on our backend: convolutions against everything else, and how far the step is
// from the floor that XNNPACK's convolution speed sets. Profiles the same steps as side-by-side.mjs.
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

/** 2·outputs·taps·inChannels for a Conv2D kernel record of tf.profile. */
const convFlops = (k) => 2 * k.outputShapes[0].reduce((a, b) => a * b, 1) * k.inputShapes[1].slice(0, 3).reduce((a, b) => a * b, 1);

// The best the convolution kernel does: a well-shaped 3×3 layer with its weights packed once (GFLOP/s).
const best = await (async () => {
  const x = tf.randomNormal([16, 32, 32, 64]);
  const w = tf.randomNormal([3, 3, 64, 64]);
  const ms = await median(() => tf.conv2d(x, w, 1, 'same').dispose(), 9);
  tf.dispose([x, w]);
  return (2 * 16 * 32 * 32 * 64 * 9 * 64) / ms / 1e6;
})();
console.log(`Best convolution rate: ${best.toFixed(1)} GFLOP/s (3x3, 64 -> 64 channels, 16x32x32, weights packed once)\n`);

console.log('| networks | step | ms | conv ms | conv GFLOP | conv GFLOP/s | of which filter gradients ms (GFLOP/s) | other kernels ms | conv GFLOP at the best rate ms |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const config of configs) {
  const { steps, dispose } = notSteps(config);
  for (const kind of ['t-step', 'f-step']) {
    const ms = await median(steps[kind], config === CPU ? 5 : 1);
    const profile = await tf.profile(() => steps[kind]());
    const convs = profile.kernels.filter((k) => k.name === 'Conv2D');
    // Our filter gradients are convolutions whose filter is a whole image (our networks' own filters are at most 4×4).
    const filterGrads = convs.filter((k) => k.inputShapes[1][0] > 4);
    const sum = (ks, f) => ks.reduce((s, k) => s + f(k), 0);
    const convMs = sum(convs, (k) => k.kernelTimeMs);
    const convGflop = sum(convs, convFlops) / 1e9;
    const gradMs = sum(filterGrads, (k) => k.kernelTimeMs);
    const gradRate = sum(filterGrads, convFlops) / gradMs / 1e6;
    const otherMs = sum(profile.kernels, (k) => (k.name === 'Conv2D' ? 0 : k.kernelTimeMs));
    console.log(
      `| ${config.name} | ${kind} | ${ms.toFixed(0)} | ${convMs.toFixed(0)} | ${convGflop.toFixed(2)} | ${(convGflop / convMs * 1e3).toFixed(1)} | ` +
        `${gradMs.toFixed(0)} (${gradRate.toFixed(1)}) | ${otherMs.toFixed(0)} | ${(convGflop / best * 1e3).toFixed(0)} |`,
    );
  }
  dispose();
}
