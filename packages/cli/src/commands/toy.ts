import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { TOY_SAMPLER_NAMES } from '@not/datasets';
import { backendOption, selectBackend } from '../backend-option';
import { progress } from '../progress';
import { integer, integerList, number } from '../parse';
import { TOY_COSTS, type ToyCost, runToy, toyDefaults } from '../toy/run-toy';

const ACTIVATIONS = ['relu', 'leaky-relu', 'silu', 'softplus', 'tanh'] as const;

export function registerToy(program: Command): void {
  program
    .command('toy')
    .description('train NOT between two toy 2-D sets with MLPs and draw the learned map as a PNG')
    .addOption(new Option('--source <name>', 'source set P').choices([...TOY_SAMPLER_NAMES]).default('normal'))
    .addOption(new Option('--target <name>', 'target set Q').choices([...TOY_SAMPLER_NAMES]).makeOptionMandatory())
    .addOption(new Option('--cost <cost>', 'strong: deterministic map, quadratic cost; weak: stochastic map, γ-weak cost').choices([...TOY_COSTS]).default('strong'))
    .option('--gamma <G>', 'γ of the weak cost ∫|x−y|² dμ − γ·Var(μ) (default 1)', number('--gamma'))
    .option('--steps <N>', 'outer training steps (default 1000)', integer('--steps', 1))
    .option('--seed <S>', 'seed of the samplers, the networks and the noise', integer('--seed', 0), 0)
    .option('--batch <B>', 'batch size (default 256)', integer('--batch', 1))
    .option('--t-iters <K>', 'map updates per potential update, K_T (default 10)', integer('--t-iters', 1))
    .option('--hidden <widths>', 'hidden widths of both MLPs, comma-separated (default 128,128,128)', integerList('--hidden', 1))
    .addOption(new Option('--activation <name>', 'hidden activation of both MLPs (default relu)').choices([...ACTIVATIONS]))
    .option('--lr <lr>', 'peak learning rate of both networks, cosine decay (default 1e-3)', number('--lr'))
    .option('--noise-samples <K>', 'weak cost: noise draws per x in a map update (default 4)', integer('--noise-samples', 2))
    .option('--noise-std <s>', 'weak cost: standard deviation of the noise z (default 1)', number('--noise-std'))
    .option('--out <file>', 'where to write the PNG', 'toy-map.png')
    .option('--json', 'print one JSON line of metrics (progress goes to stderr)')
    .addOption(backendOption())
    .action(async (opts) => {
      const cost = opts.cost as ToyCost;
      if (cost === 'strong') {
        for (const [key, flag] of [['gamma', '--gamma'], ['noiseSamples', '--noise-samples'], ['noiseStd', '--noise-std']] as const) {
          if (opts[key] !== undefined) throw new Error(`toy: ${flag} applies only to --cost weak`);
        }
      }
      const backend = await selectBackend(opts.backend);
      const steps: number = opts.steps ?? toyDefaults(cost).steps;
      const bar = progress(`toy ${opts.source} → ${opts.target} (${cost})`, steps);
      const result = runToy({
        source: opts.source,
        target: opts.target,
        cost,
        gamma: opts.gamma,
        steps,
        seed: opts.seed,
        batchSize: opts.batch,
        tIters: opts.tIters,
        hidden: opts.hidden,
        activation: opts.activation,
        lr: opts.lr,
        noiseSamples: opts.noiseSamples,
        noiseStd: opts.noiseStd,
        onStep: (r) => bar.update(r.step, { 'T loss': r.mapLoss, 'f loss': r.potentialLoss }),
      });
      bar.stop();
      writeFileSync(opts.out, result.png);
      const e = result.energy;
      const line = {
        source: result.source,
        target: result.target,
        cost: result.cost,
        gamma: result.gamma,
        steps: result.steps,
        seconds: round(result.seconds, 2),
        backend: backend.name,
        energy: e.mapped,
        energySource: e.source,
        energyFloor: e.floor,
        out: opts.out,
      };
      if (opts.json) process.stdout.write(JSON.stringify(line) + '\n');
      else {
        process.stdout.write(
          `${line.source} → ${line.target} (${line.cost}${line.gamma === null ? '' : `, γ=${line.gamma}`})  steps ${line.steps}  ` +
            `energy T♯P vs Q ${fmt(e.mapped)} (P vs Q ${fmt(e.source)}, floor ${fmt(e.floor)})  ` +
            `${line.seconds.toFixed(1)} s on ${line.backend}  → ${line.out}\n`,
        );
      }
    });
}

function round(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'NaN';
}
