import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { TINY_TRAIN_FLAGS } from '../testing/tiny-train-flags';
import { programWith, runCli } from '../testing/run-cli';
import { registerTrain } from '../commands/train';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { TrainFlags } from './train-config';
import { RUN_FILES, type TrainMetrics, runTraining } from './train-run';

beforeAll(async () => {
  await useBackend('wasm');
});

/** Tiny runs at a constant learning rate: a run extended from 2 to 3 steps is then the same as one of 3 steps. */
const tiny: TrainFlags = { ...TINY_TRAIN_FLAGS, steps: 3, lrDecay: 'none', checkpointEvery: 1, evalEvery: 0 };
const runDir = () => mkdtempSync(join(tmpdir(), 'not-resume-'));
const losses = (dir: string) =>
  readFileSync(join(dir, RUN_FILES.metrics), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TrainMetrics)
    .map((m) => [m.step, m.mapLoss, m.cost, m.potentialLoss]);
/** Every file in a folder with its bytes' length and modification time: what "untouched" means. */
const snapshot = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => join(dir, name))
    .map((path) => `${path} ${statSync(path).size} ${statSync(path).mtimeMs}`);

describe('not train --resume: the run asked for', () => {
  it('with the same flags continues exactly; a longer --steps and another backend are applied and said in one line', async () => {
    const straight = runDir();
    await runTraining({ flags: tiny, preset: 'cpu', out: straight });

    const out = runDir();
    const stop = new AbortController();
    const stopped = await runTraining({ flags: tiny, preset: 'cpu', out, environment: { backend: 'wasm' }, onStep: () => stop.abort(), signal: stop.signal });
    expect(stopped).toMatchObject({ step: 1, interrupted: true });
    const log: string[] = [];
    const same = await runTraining({ flags: { ...tiny, steps: 2 }, preset: 'cpu', out, resume: true, environment: { backend: 'wasm' }, log: (l) => log.push(l) });
    expect(same).toMatchObject({ step: 2, interrupted: false });
    expect(log.filter((l) => l.includes('changed settings'))).toEqual([`resuming ${out} with changed settings: --steps 3 → 2`]);

    log.length = 0;
    const longer = await runTraining({ flags: tiny, preset: 'cpu', out, resume: true, environment: { backend: 'cpu' }, log: (l) => log.push(l) });
    expect(longer).toMatchObject({ step: 3, interrupted: false });
    expect(log.filter((l) => l.includes('changed settings'))).toEqual([`resuming ${out} with changed settings: --steps 2 → 3, --backend wasm → cpu`]);
    expect(losses(out)).toEqual(losses(straight));
    // The checkpoint records the run as it now is.
    const saved = readCheckpoint(join(out, RUN_FILES.checkpoint));
    tf.dispose(Object.values(saved.tensors));
    expect(saved.record?.adjustable).toMatchObject({ steps: 3, backend: 'cpu' });
    expect(saved.record?.identity.settings).toMatchObject({ seed: 7, size: 16, cost: 'strong', sourceImages: '3000 images 32×32×1' });
  });

  it('refuses a changed seed, cost or size, and fewer steps than done, listing each, before touching the folder', async () => {
    const out = runDir();
    await runTraining({ flags: { ...tiny, steps: 2 }, preset: 'cpu', out, environment: { backend: 'wasm' } });
    const before = snapshot(out);
    const error = await runTraining({ flags: { ...tiny, steps: 1, seed: 8, cost: 'weak', noiseSamples: 2, size: 32 }, preset: 'cpu', out, resume: true }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `train --resume: ${out} holds another run than the one asked for (stored → asked):\n` +
        '  --size: 16 → 32\n  --noise-samples: 1 → 2\n  --seed: 7 → 8\n  --cost: strong → weak\n  --steps: 2 → 1 (the run has done 2 steps already)\n' +
        `Nothing in ${out} was changed. To start afresh, add --restart (deletes this run's files in ${out} first) or choose another --out.`,
    );
    expect(snapshot(out)).toEqual(before);
    await expect(runTraining({ flags: tiny, preset: 'cpu', out, resume: true, restart: true })).rejects.toThrow('train: --resume and --restart exclude each other');

    // A checkpoint from before runs recorded their identity: its configuration is still compared.
    const saved = readCheckpoint(join(out, RUN_FILES.checkpoint));
    await writeCheckpoint(join(out, RUN_FILES.checkpoint), { ...saved, record: null });
    tf.dispose(Object.values(saved.tensors));
    await expect(runTraining({ flags: { seed: 9 }, preset: 'cpu', out, resume: true })).rejects.toThrow(/\n {2}--seed: 7 → 9\n/);
    const old = await runTraining({ flags: { steps: 3 }, preset: 'cpu', out, resume: true });
    expect(old.step).toBe(3);
  });

  it('--restart deletes the run\'s own files and trains from step 0; a folder of another kind of run is left alone', async () => {
    const out = runDir();
    await runTraining({ flags: { ...tiny, seed: 8 }, preset: 'cpu', out });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await expect(runTraining({ flags: { ...tiny, steps: 2 }, preset: 'cpu', out })).rejects.toThrow(/already holds a run .*--resume to continue it, --restart to start it afresh/);
    const log: string[] = [];
    const result = await runTraining({ flags: { ...tiny, steps: 2 }, preset: 'cpu', out, restart: true, log: (l) => log.push(l) });
    expect(result).toMatchObject({ step: 2, interrupted: false });
    expect(log.some((l) => l.startsWith(`--restart: removed the earlier run's ${RUN_FILES.checkpoint}, `))).toBe(true);
    const fresh = runDir();
    await runTraining({ flags: { ...tiny, steps: 2 }, preset: 'cpu', out: fresh });
    expect(losses(out)).toEqual(losses(fresh));
    expect(readdirSync(join(out, RUN_FILES.samples)).sort()).toEqual(readdirSync(join(fresh, RUN_FILES.samples)).sort());
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');

    const other = runDir();
    writeFileSync(join(other, RUN_FILES.checkpoint), safetensorsWithFormat('not-stack-checkpoint/1'));
    await expect(runTraining({ flags: tiny, preset: 'cpu', out: other, restart: true })).rejects.toThrow(
      `train --restart: ${join(other, RUN_FILES.checkpoint)} is not a \`not train\` checkpoint (format "not-stack-checkpoint/1"); nothing was removed`,
    );
    expect(existsSync(join(other, RUN_FILES.checkpoint))).toBe(true);
  });
});

describe('not train --restart on the command line', () => {
  it('records the backend, refuses --resume with --restart, and starts afresh', async () => {
    const out = runDir();
    const args = ['train', '--source', 'fashion-mnist:bag', '--target', 'fashion-mnist:shoes', '--size', '16', '--steps', '1', '--batch-size', '4', '--t-iters', '1', '--base', '4', '--filters', '4', '--max-filters', '8', '--eval-every', '0', '--backend', 'wasm', '--out', out];
    await runCli(programWith(registerTrain), args);
    const saved = readCheckpoint(join(out, RUN_FILES.checkpoint));
    tf.dispose(Object.values(saved.tensors));
    expect(saved.record?.adjustable).toMatchObject({ steps: 1, backend: 'wasm' });
    await expect(runCli(programWith(registerTrain), [...args, '--resume', '--restart'])).rejects.toThrow('--resume and --restart exclude each other');
    const { stderr } = await runCli(programWith(registerTrain), [...args, '--restart']);
    expect(stderr).toContain(`--restart: removed the earlier run's ${RUN_FILES.checkpoint}`);
  });
});

/** An empty safetensors file whose metadata has `format`. */
function safetensorsWithFormat(format: string): Uint8Array {
  const header = Buffer.from(JSON.stringify({ __metadata__: { format } }));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([size, header]);
}
