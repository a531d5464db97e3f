import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { TOY_SAMPLER_NAMES } from '@not/datasets';
import type { Activation } from '@not/nets';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { progress } from '../progress';
import { integer, integerList, number } from '../parse';
import { TOY_COSTS, type ToyCost, runToy, toyDefaults } from '../toy/run-toy';

const ACTIVATIONS = ['relu', 'leaky-relu', 'silu', 'softplus', 'tanh'] as const satisfies readonly Activation[];

/** Help-text defaults come from toyDefaults, so they cannot drift from what runToy uses. */
function defaultText(pick: (d: ReturnType<typeof toyDefaults>) => unknown): string {
  const [strong, weak] = [pick(toyDefaults('strong')), pick(toyDefaults('weak'))].map(String);
  return strong === weak ? `default ${strong}` : `default ${strong} strong, ${weak} weak`;
}

export function registerToy(program: Command): void {
  const weak = toyDefaults('weak');
  const widths = integerList('--hidden', 1);
  const samples = integer('--noise-samples', 2);
  program
    .command('toy')
    .description('train NOT between two toy 2-D sets with MLPs and draw the learned map as a PNG')
    .addOption(new Option('--source <name>', 'source set P').choices([...TOY_SAMPLER_NAMES]).default('normal'))
    .addOption(new Option('--target <name>', 'target set Q').choices([...TOY_SAMPLER_NAMES]).makeOptionMandatory())
    .addOption(
      new Option('--cost <cost>', 'strong: deterministic map, quadratic cost; weak: stochastic map, γ-weak cost')
        .choices([...TOY_COSTS])
        .default('strong'),
    )
    .option('--gamma <G>', `γ of the weak cost ∫|x−y|² dμ − γ·Var(μ) (default ${weak.gamma})`, number('--gamma'))
    .option('--steps <N>', `outer training steps (${defaultText((d) => d.steps)})`, integer('--steps', 1))
    .option('--seed <S>', 'seed of the samplers, the networks and the noise', integer('--seed', 0), 0)
    .option('--batch-size <B>', `batch size (${defaultText((d) => d.batchSize)})`, integer('--batch-size', 1))
    .option('--t-iters <K>', `map updates per potential update, K_T (${defaultText((d) => d.tIters)})`, integer('--t-iters', 1))
    .option('--hidden <widths>', `hidden widths of both MLPs, comma-separated (${defaultText((d) => d.hidden)})`, widths)
    .addOption(
      new Option('--activation <name>', `hidden activation of both MLPs (${defaultText((d) => d.activation)})`).choices([...ACTIVATIONS]),
    )
    .option('--lr <lr>', `peak learning rate of both networks, cosine decay (${defaultText((d) => d.lr)})`, number('--lr'))
    .option('--noise-samples <K>', `weak cost: noise draws per x in a map update (default ${weak.noiseSamples})`, samples)
    .option('--noise-std <s>', `weak cost: standard deviation of the noise z (default ${weak.noiseStd})`, number('--noise-std'))
    .option('--out <file>', 'where to write the PNG', 'toy-map.png')
    .option('--json', 'print one JSON line of metrics (progress goes to stderr)')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      const cost = opts.cost as ToyCost;
      if (cost === 'strong') {
        const weakOnly = [['gamma', '--gamma'], ['noiseSamples', '--noise-samples'], ['noiseStd', '--noise-std']] as const;
        for (const [key, flag] of weakOnly) {
          if (opts[key] !== undefined) throw new Error(`toy: ${flag} applies only to --cost weak`);
        }
      }
      // Checked before a minute of training, not after.
      const outDir = dirname(resolve(opts.out));
      if (!existsSync(outDir)) throw new Error(`toy: --out ${opts.out}: directory ${outDir} does not exist`);
      const backend = await selectBackend(opts);
      const steps: number = opts.steps ?? toyDefaults(cost).steps;
      const bar = progress(`toy ${opts.source} → ${opts.target} (${cost})`, steps);
      const result = await runToy({
        source: opts.source,
        target: opts.target,
        cost,
        gamma: opts.gamma,
        steps,
        seed: opts.seed,
        batchSize: opts.batchSize,
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
