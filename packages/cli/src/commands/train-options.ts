import { type Command, Option } from 'commander';
import { integer, number } from '../parse';
import { EVAL_SELECTIONS, LR_DECAYS, TRAIN_COSTS, TRAIN_PRESETS, type TrainFlags } from '../train/train-config';
import { type MicroBatchChoice, RECOMPUTE_CHOICES } from '../train/step-memory';

/** The flags of a NOT run (data, cost, networks, optimizer, schedule): `not train` has them, and `not stack` per stage. */
export function addTrainOptions(command: Command, stacking = false): Command {
  const positive = (flag: string) => integer(flag, 1);
  // `not stack` names two of them for what they mean there: each stage's steps, and what selects the depth.
  const steps = stacking ? '--stage-steps' : '--steps';
  const metric = stacking ? '--select-by' : '--eval-metric';
  return command
    .option('--source <spec>', 'source images P, e.g. fashion-mnist:bag, igan:handbag_64.hdf5, folder:DIR, celeba:DIR:male')
    .option('--target <spec>', 'target images Q, same forms')
    .addOption(new Option('--cost <cost>', 'strong: one-to-one map; weak: one-to-many map with the γ-weak cost').choices([...TRAIN_COSTS]))
    .option('--gamma <G>', 'weak cost: final γ of the linear ramp from 0 (reference 0.66)', number('--gamma'))
    .option('--gamma-steps <N>', 'weak cost: outer steps of the γ ramp (reference 25000)', positive('--gamma-steps'))
    .option('--size <S>', 'image side the networks see, a power of two >= 16 (reference 64)', positive('--size'))
    .addOption(new Option('--channels <C>', 'image channels the networks see (default: 1 when source and target are both grayscale, else 3)').choices(['1', '3']).argParser(Number))
    .option(`${steps} <N>`, `outer steps${stacking ? ' of each stage' : ''} (K_T map updates and one potential update each)`, positive(steps))
    .option('--batch-size <B>', 'batch size (reference 64)', positive('--batch-size'))
    .option('--t-iters <K>', 'map updates per potential update, K_T (reference 10)', positive('--t-iters'))
    .option('--lr <lr>', 'Adam learning rate of T and f (reference 1e-4)', number('--lr'))
    .addOption(new Option('--lr-decay <how>', 'learning-rate schedule: constant (reference) or a 10% warm-up then cosine decay to 5%').choices([...LR_DECAYS]))
    .option('--adam-beta1 <b>', "Adam's β₁ for T and f (reference 0.9)", number('--adam-beta1'))
    .option('--adam-beta2 <b>', "Adam's β₂ for T and f (reference 0.999)", number('--adam-beta2'))
    .option('--ema-decay <d>', "decay of the moving average of T's weights that samples, evaluation and exports use (0: none; reference none)", number('--ema-decay'))
    .option('--base <N>', 'UNet base width (reference 48)', positive('--base'))
    .option('--filters <N>', 'ResNet potential first width (reference 64)', positive('--filters'))
    .option('--max-filters <N>', 'ResNet potential width cap (reference 512)', positive('--max-filters'))
    .option('--noise-samples <K>', 'weak cost: noise draws per x in a map update (reference 8)', integer('--noise-samples', 2))
    .option('--noise-std <s>', 'weak cost: standard deviation of the noise channel (reference 0.1)', number('--noise-std'))
    .option('--seed <S>', 'seed of the data order, the networks and the noise (default 0)', integer('--seed', 0))
    .option('--sample-every <N>', 'outer steps between sample grids', positive('--sample-every'))
    .option('--checkpoint-every <N>', 'outer steps between checkpoints', positive('--checkpoint-every'))
    .option('--eval-every <N>', 'outer steps between evaluations on the validation split, keeping the best map in best/ (0: none)', integer('--eval-every', 0))
    .addOption(new Option(`${metric} <m>`, `what picks the best map${stacking ? ' and depth' : ''}: FID, or the Fashion-MNIST classifier FD (default: classifier for 32×32 grayscale)`).choices([...EVAL_SELECTIONS]))
    .addOption(
      new Option('--recompute-activations <when>', "recompute activations in the backward pass: same results, less memory, slower (auto: when wasm's 4 GiB heap needs it)")
        .choices([...RECOMPUTE_CHOICES])
        .default('auto'),
    )
    .addOption(
      new Option('--micro-batch <n>', "the most samples f takes per pass (its gradients are summed: same results, less memory; auto: when wasm's 4 GiB heap needs it)")
        .argParser((value): MicroBatchChoice => (value === 'auto' ? value : integer('--micro-batch', 1)(value)))
        .default('auto'),
    )
    .addOption(
      new Option('--preset <name>', "defaults for everything not given: the notebooks' ('reference') or sized for a CPU; default by backend").choices([
        ...TRAIN_PRESETS,
      ]),
    );
}

/** The {@link TrainFlags} in commander's parsed options. */
// biome-ignore lint/suspicious/noExplicitAny: commander's parsed options are untyped
export function trainFlags(opts: Record<string, any>): TrainFlags {
  return {
    source: opts.source,
    target: opts.target,
    cost: opts.cost,
    gamma: opts.gamma,
    gammaSteps: opts.gammaSteps,
    size: opts.size,
    channels: opts.channels,
    steps: opts.steps ?? opts.stageSteps,
    batchSize: opts.batchSize,
    tIters: opts.tIters,
    lr: opts.lr,
    lrDecay: opts.lrDecay,
    beta1: opts.adamBeta1,
    beta2: opts.adamBeta2,
    emaDecay: opts.emaDecay,
    base: opts.base,
    filters: opts.filters,
    maxFilters: opts.maxFilters,
    noiseSamples: opts.noiseSamples,
    noiseStd: opts.noiseStd,
    seed: opts.seed,
    sampleEvery: opts.sampleEvery,
    checkpointEvery: opts.checkpointEvery,
    evalEvery: opts.evalEvery,
    evalMetric: opts.evalMetric ?? opts.selectBy,
  };
}
