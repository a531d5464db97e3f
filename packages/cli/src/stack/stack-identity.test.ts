import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { TINY_TRAIN_FLAGS } from '../testing/tiny-train-flags';
import { runTraining } from '../train/train-run';
import { loadTrainedMap } from '../train/trained-map';
import { StackCheckpointFile } from './stack-checkpoint-file';
import type { StackFlags } from './stack-config';
import { STACK_FILES, runStacking } from './stack-run';

// wasm: every stage's end is evaluated with the classifier (32×32).
beforeAll(async () => {
  await useBackend('wasm');
});

const tiny: StackFlags = { ...TINY_TRAIN_FLAGS, size: 32, steps: 2, evalEvery: 0, checkpointEvery: 1, stageCount: 2, margin: 0 };
const runDir = () => mkdtempSync(join(tmpdir(), 'not-stack-resume-'));
const cacheDir = runDir();
const snapshot = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => join(dir, name))
    .map((path) => `${path} ${statSync(path).size} ${statSync(path).mtimeMs}`);
const weights = async (path: string) => {
  const { map } = await loadTrainedMap(path);
  const values = Object.values(map.stateDict()).map((t) => Array.from(t.dataSync()));
  map.dispose();
  return values;
};
/** Runs until `steps` steps (over all stages) are done, then stops as Ctrl-C would. */
const stopAfter = (steps: number) => {
  let done = 0;
  const stop = new AbortController();
  return { onStep: () => void (++done === steps && stop.abort()), signal: stop.signal };
};

describe('not stack --resume: the run asked for', () => {
  it('with the same flags continues exactly; another seed, or other --stage-steps once a stage is trained, is refused untouched', async () => {
    const whole = runDir();
    const straight = await runStacking({ flags: tiny, preset: 'cpu', out: whole, cacheDir });

    const out = runDir();
    const stopped = await runStacking({ flags: tiny, preset: 'cpu', out, cacheDir, environment: { backend: 'wasm' }, ...stopAfter(3) });
    expect(stopped.interrupted).toBe(true);
    const before = snapshot(out);
    const refusal = (flags: StackFlags) => runStacking({ flags, preset: 'cpu', out, cacheDir, resume: true }).then(() => '', (e: Error) => e.message);
    const seed = await refusal({ ...tiny, seed: 8 });
    expect(seed).toMatch(new RegExp(`^stack --resume: ${out} holds another run than the one asked for \\(stored → asked\\):\\n  --seed: 7 → 8\\nNothing in ${out} was changed\\. To start afresh, add --restart`));
    expect(await refusal({ seed: 8 })).toBe(seed); // a flag given alone is compared all the same
    expect(await refusal({ ...tiny, steps: 3 })).toContain('\n  --stage-steps: 2 → 3 (stage 1 finished with 2 steps)\n');
    expect(await refusal({ ...tiny, stageCount: 1 })).toContain('\n  --stages: 2 → 1 (2 stages are trained or in training)\n');
    expect(snapshot(out)).toEqual(before);

    const log: string[] = [];
    const resumed = await runStacking({ flags: tiny, preset: 'cpu', out, cacheDir, resume: true, environment: { backend: 'cpu' }, log: (l) => log.push(l) });
    expect(log).toContain(`resuming ${out} with changed settings: --backend wasm → cpu`);
    expect(resumed.summary.stages.map((s) => s.value)).toEqual(straight.summary.stages.map((s) => s.value));
    const last = join(STACK_FILES.stages, 'stack-2.safetensors');
    expect(await weights(join(out, last))).toEqual(await weights(join(whole, last)));
  });

  it('refuses a --first run whose files changed behind the same path; --restart stacks afresh on it', async () => {
    const base = runDir();
    const train = { ...TINY_TRAIN_FLAGS, size: 32, steps: 2, evalEvery: 0 };
    await runTraining({ flags: train, preset: 'cpu', out: base, cacheDir });
    const flags: StackFlags = { first: base, stageCount: 2, steps: 2, checkpointEvery: 1, margin: 0 };
    const out = runDir();
    expect((await runStacking({ flags, preset: 'cpu', out, cacheDir, ...stopAfter(1) })).interrupted).toBe(true);

    // The first run trains on: same path, other bytes.
    await runTraining({ flags: { steps: 3 }, preset: 'cpu', out: base, resume: true, cacheDir });
    const before = snapshot(out);
    await expect(runStacking({ flags, preset: 'cpu', out, cacheDir, resume: true })).rejects.toThrow(
      /holds another run than the one asked for \(stored → asked\):\n {2}--first run \(content of its map and checkpoint files\): sha256 [0-9a-f]{12}… → sha256 [0-9a-f]{12}…\nNothing/,
    );
    expect(snapshot(out)).toEqual(before);

    const log: string[] = [];
    const restarted = await runStacking({ flags, preset: 'cpu', out, cacheDir, restart: true, log: (l) => log.push(l) });
    expect(log.some((l) => l.startsWith(`--restart: removed the earlier run's ${STACK_FILES.checkpoint}, `))).toBe(true);
    const fresh = await runStacking({ flags, preset: 'cpu', out: runDir(), cacheDir });
    expect(restarted.summary.stages.map((s) => s.value)).toEqual(fresh.summary.stages.map((s) => s.value));

    // A checkpoint written before runs recorded their identity cannot be checked: refused, with the way out.
    const path = join(out, STACK_FILES.checkpoint);
    const saved = (await new StackCheckpointFile(path, StackCheckpointFile.readConfig(path)).load())!;
    await new StackCheckpointFile(path, StackCheckpointFile.readConfig(path)).save({ tensors: saved.tensors, state: { ...saved.state, identity: undefined } });
    tf.dispose(Object.values(saved.tensors));
    await expect(runStacking({ flags, preset: 'cpu', out, cacheDir, resume: true })).rejects.toThrow(
      `stack --resume: ${out} was checkpointed by a \`not stack\` that did not record what defines a run`,
    );
  });
});
