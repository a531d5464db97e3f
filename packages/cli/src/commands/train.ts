import { join } from 'node:path';
import type { Command } from 'commander';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { progress, type Progress } from '../progress';
import { stopOnInterrupt } from '../stop-on-interrupt';
import { type TrainPreset, departuresFromReference, presetFor } from '../train/train-config';
import { DivergenceGuard } from '@not/ot-core';
import { addGuardOptions, guardFromFlags } from './guard-options';
import { addTrainOptions, trainFlags } from './train-options';
import type { EvalLine } from '../train/best-map';
import { RUN_FILES, runTraining } from '../train/train-run';

export function registerTrain(program: Command): void {
  addGuardOptions(addTrainOptions(program.command('train').description('train a NOT map T (UNet) and potential f (ResNet) between two image sets')))
    .option('--out <dir>', 'run directory (metrics.jsonl, samples/, checkpoint.safetensors, T.safetensors)', join('runs', 'train'))
    .option('--resume', 'continue the run in --out from its last checkpoint; flags left out keep their stored values, and any flag given must ask for the same run (only --steps, the intervals, --backend and --threads may change)')
    .option('--restart', "start afresh: delete the run's own files in --out (when it holds a `not train` run) and train from step 0")
    .option('--json', 'print a JSON summary line at the end (progress goes to stderr)')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      const backend = await selectBackend(opts);
      const preset: TrainPreset = opts.preset ?? presetFor(backend);
      if (!opts.preset && preset === 'reference') process.stderr.write(`reference preset: ${backend.name} runs on a GPU (--preset cpu for the small one)\n`);
      const flags = trainFlags(opts);
      const guard = guardFromFlags(opts);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const interrupt = stopOnInterrupt(log);
      let bar: Progress | undefined;
      try {
        const result = await runTraining({
          flags,
          preset,
          out: opts.out,
          resume: Boolean(opts.resume),
          restart: Boolean(opts.restart),
          environment: { backend: backend.name, threads: opts.threads },
          log,
          onStart: (config, step) => {
            const departures = departuresFromReference(config);
            if (departures.length > 0) {
              log(`${config.preset} preset on ${backend.name}: ${departures.join(', ')}; --preset reference gives the notebooks' settings`);
            }
            log(`writing to ${opts.out}: ${RUN_FILES.metrics}, ${RUN_FILES.samples}/, ${RUN_FILES.checkpoint} every ${config.checkpointEvery} steps`);
            bar = progress(`train ${config.source} → ${config.target} (${config.cost})`, config.steps, { start: step });
          },
          onEval: (e) => log(`step ${e.step}, validation: ${describeEval(e)}${e.best ? '  (best so far: saved to best/)' : ''}`),
          onStep: (m) => bar?.update(m.step, { 'T loss': m.mapLoss, 'f loss': m.potentialLoss, 'steps/s': 1 / m.seconds }),
          signal: interrupt.signal,
          guard: guard === false ? false : new DivergenceGuard(guard),
          recompute: opts.recomputeActivations,
          microBatch: opts.microBatch,
        });
        bar?.stop();
        log(`${result.interrupted ? 'stopped' : 'finished'} at step ${result.step}; resume with --resume --out ${opts.out}`);
        if (result.best?.test) log(`best map (step ${result.best.step}, chosen on the validation split), on the test split: ${describeEval(result.best.test)}`);
        if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, step: result.step, interrupted: result.interrupted, last: result.last, best: result.best })}\n`);
      } finally {
        bar?.stop();
        interrupt.release();
      }
    });
}

function describeEval(e: Omit<EvalLine, 'step' | 'split' | 'metric' | 'best'>): string {
  const parts = [];
  if (e.fid !== undefined) parts.push(`FID ${e.fid.toFixed(2)}`);
  if (e.classifier) parts.push(`target-class share ${(100 * e.classifier.targetShare).toFixed(1)}%, classifier FD ${e.classifier.frechet.toFixed(1)}`);
  if (e.cost !== undefined) parts.push(`cost ${e.cost.toFixed(4)}`);
  return parts.join(', ');
}
