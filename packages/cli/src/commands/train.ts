import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { backendOption, selectBackend } from '../backend-option';
import { integer, number } from '../parse';
import { progress, type Progress } from '../progress';
import { EVAL_SELECTIONS, LR_DECAYS, TRAIN_COSTS, TRAIN_PRESETS, type TrainFlags, type TrainPreset, departuresFromReference, presetFor } from '../train/train-config';
import type { EvalLine } from '../train/best-map';
import { RUN_FILES, runTraining } from '../train/train-run';

export function registerTrain(program: Command): void {
  const positive = (flag: string) => integer(flag, 1);
  program
    .command('train')
    .description('train a NOT map T (UNet) and potential f (ResNet) between two image sets')
    .option('--source <spec>', 'source images P, e.g. fashion-mnist:bag, igan:handbag_64.hdf5, folder:DIR, celeba:DIR:male')
    .option('--target <spec>', 'target images Q, same forms')
    .addOption(new Option('--cost <cost>', 'strong: one-to-one map; weak: one-to-many map with the γ-weak cost').choices([...TRAIN_COSTS]))
    .option('--gamma <G>', 'weak cost: final γ of the linear ramp from 0 (reference 0.66)', number('--gamma'))
    .option('--gamma-steps <N>', 'weak cost: outer steps of the γ ramp (reference 25000)', positive('--gamma-steps'))
    .option('--size <S>', 'image side the networks see, a power of two >= 16 (reference 64)', positive('--size'))
    .addOption(new Option('--channels <C>', 'image channels the networks see (default: 1 when source and target are both grayscale, else 3)').choices(['1', '3']).argParser(Number))
    .option('--steps <N>', 'outer steps (K_T map updates and one potential update each)', positive('--steps'))
    .option('--batch <B>', 'batch size (reference 64)', positive('--batch'))
    .option('--t-iters <K>', 'map updates per potential update, K_T (reference 10)', positive('--t-iters'))
    .option('--lr <lr>', 'Adam learning rate of T and f (reference 1e-4)', number('--lr'))
    .addOption(new Option('--lr-decay <how>', 'learning-rate schedule: constant (reference) or a 10% warm-up then cosine decay to 5%').choices([...LR_DECAYS]))
    .option('--adam-beta2 <b>', "Adam's β₂ for T and f (reference 0.999)", number('--adam-beta2'))
    .option('--base <N>', 'UNet base width (reference 48)', positive('--base'))
    .option('--filters <N>', 'ResNet potential first width (reference 64)', positive('--filters'))
    .option('--max-filters <N>', 'ResNet potential width cap (reference 512)', positive('--max-filters'))
    .option('--noise-samples <K>', 'weak cost: noise draws per x in a map update (reference 8)', integer('--noise-samples', 2))
    .option('--noise-std <s>', 'weak cost: standard deviation of the noise channel (reference 0.1)', number('--noise-std'))
    .option('--seed <S>', 'seed of the data order, the networks and the noise (default 0)', integer('--seed', 0))
    .option('--sample-every <N>', 'outer steps between sample grids', positive('--sample-every'))
    .option('--checkpoint-every <N>', 'outer steps between checkpoints', positive('--checkpoint-every'))
    .option('--eval-every <N>', 'outer steps between evaluations on the test split, keeping the best map in best/ (0: none)', integer('--eval-every', 0))
    .addOption(new Option('--eval-metric <m>', 'what picks the best map: FID, or the Fashion-MNIST classifier FD (default: classifier for 32×32 grayscale)').choices([...EVAL_SELECTIONS]))
    .addOption(
      new Option('--preset <name>', "defaults for everything not given: the notebooks' ('reference') or sized for a CPU; default by backend").choices([
        ...TRAIN_PRESETS,
      ]),
    )
    .option('--out <dir>', 'run directory (metrics.jsonl, samples/, checkpoint.safetensors, T.safetensors)', join('runs', 'train'))
    .option('--resume', "continue the run in --out from its last checkpoint")
    .option('--json', 'print a JSON summary line at the end (progress goes to stderr)')
    .addOption(backendOption())
    .action(async (opts) => {
      const backend = await selectBackend(opts.backend);
      const preset: TrainPreset = opts.preset ?? presetFor(backend.name);
      const flags: TrainFlags = {
        source: opts.source,
        target: opts.target,
        cost: opts.cost,
        gamma: opts.gamma,
        gammaSteps: opts.gammaSteps,
        size: opts.size,
        channels: opts.channels,
        steps: opts.steps,
        batch: opts.batch,
        tIters: opts.tIters,
        lr: opts.lr,
        lrDecay: opts.lrDecay,
        beta2: opts.adamBeta2,
        base: opts.base,
        filters: opts.filters,
        maxFilters: opts.maxFilters,
        noiseSamples: opts.noiseSamples,
        noiseStd: opts.noiseStd,
        seed: opts.seed,
        sampleEvery: opts.sampleEvery,
        checkpointEvery: opts.checkpointEvery,
        evalEvery: opts.evalEvery,
        evalMetric: opts.evalMetric,
      };
      const log = (line: string) => process.stderr.write(`${line}\n`);
      let stopRequested = false;
      const onInterrupt = () => {
        if (stopRequested) process.exit(130);
        stopRequested = true;
        log('\nstopping after this step and writing a checkpoint (Ctrl-C again to quit at once)');
      };
      process.on('SIGINT', onInterrupt);
      let bar: Progress | undefined;
      try {
        const result = await runTraining({
          flags,
          preset,
          out: opts.out,
          resume: Boolean(opts.resume),
          log,
          onStart: (config, step) => {
            const departures = departuresFromReference(config);
            if (departures.length > 0) {
              log(`${config.preset} preset on ${backend.name}: ${departures.join(', ')}; --preset reference gives the notebooks' settings`);
            }
            log(`writing to ${opts.out}: ${RUN_FILES.metrics}, ${RUN_FILES.samples}/, ${RUN_FILES.checkpoint} every ${config.checkpointEvery} steps`);
            bar = progress(`train ${config.source} → ${config.target} (${config.cost})`, config.steps, { start: step });
          },
          onEval: (e) => log(`step ${e.step}: ${describeEval(e)}${e.best ? '  (best so far: saved to best/)' : ''}`),
          onStep: (m) => bar?.update(m.step, { 'T loss': m.mapLoss, 'f loss': m.potentialLoss, 'steps/s': 1 / m.seconds }),
          shouldStop: () => stopRequested,
        });
        bar?.stop();
        log(`${result.interrupted ? 'stopped' : 'finished'} at step ${result.step}; resume with --resume --out ${opts.out}`);
        if (opts.json) process.stdout.write(`${JSON.stringify({ out: opts.out, step: result.step, interrupted: result.interrupted, last: result.last })}\n`);
      } finally {
        bar?.stop();
        process.off('SIGINT', onInterrupt);
      }
    });
}

function describeEval(e: EvalLine): string {
  const parts = [];
  if (e.fid !== undefined) parts.push(`FID ${e.fid.toFixed(2)}`);
  if (e.classifier) parts.push(`target-class share ${(100 * e.classifier.targetShare).toFixed(1)}%, classifier FD ${e.classifier.frechet.toFixed(1)}`);
  if (e.cost !== undefined) parts.push(`cost ${e.cost.toFixed(4)}`);
  return parts.join(', ');
}
