import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readGaussianPair, readPoints } from '../w2/pair-file';
import { runW2Benchmark } from '../w2/w2-benchmark';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { progress } from '../progress';
import { integer, number } from '../parse';

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks with known answers');
  bench
    .command('w2')
    .description('train NOT (quadratic cost, MLPs) between two Gaussians and score it against the closed-form OT map')
    .requiredOption('--dim <D>', 'dimension', integer('--dim', 1))
    .option('--steps <N>', 'outer training steps', integer('--steps', 1), 400)
    .option('--seed <S>', 'seed of the pair, the samplers and the networks', integer('--seed', 0), 0)
    .option('--pair <file>', 'JSON {"m1":[…],"S1":[[…]],"m2":[…],"S2":[[…]]}; a seeded random pair when absent')
    .option('--batch-size <B>', 'batch size', integer('--batch-size', 1), 256)
    .option('--lr <lr>', 'peak learning rate of both networks (cosine decay)', number('--lr'), 1e-3)
    .option('--eval-points <file>', 'JSON array of points to map with the trained T')
    .option('--eval-out <file>', 'where to write T(eval points) as JSON')
    .option('--json', 'print one JSON line (progress goes to stderr)')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      if (opts.evalPoints && !opts.evalOut) throw new Error('bench w2: --eval-points needs --eval-out');
      const pair = opts.pair ? readGaussianPair(opts.pair) : undefined;
      const evalPoints = opts.evalPoints ? readPoints(opts.evalPoints, opts.dim) : undefined;
      const backend = await selectBackend(opts);
      const bar = progress(`w2 D=${opts.dim}`, opts.steps);
      const result = await runW2Benchmark({
        dim: opts.dim,
        steps: opts.steps,
        seed: opts.seed,
        pair,
        batchSize: opts.batchSize,
        lr: opts.lr,
        evalPoints,
        onStep: (r) => bar.update(r.step, { 'T loss': r.mapLoss, 'f loss': r.potentialLoss }),
      });
      bar.stop();
      if (evalPoints && result.evalOut) {
        const rows = [];
        for (let i = 0; i < result.evalOut.length; i += opts.dim) rows.push(Array.from(result.evalOut.subarray(i, i + opts.dim)));
        writeFileSync(opts.evalOut, JSON.stringify(rows) + '\n');
      }
      const line = { dim: result.dim, steps: result.steps, l2uvp: result.l2uvp, bw2uvp: result.bw2uvp, seconds: result.seconds, backend: backend.name };
      if (opts.json) process.stdout.write(JSON.stringify(line) + '\n');
      else {
        process.stdout.write(
          `D=${line.dim}  steps ${line.steps}  L2-UVP ${line.l2uvp.toFixed(3)}%  BW2-UVP ${line.bw2uvp.toFixed(3)}%  ` +
            `${line.seconds.toFixed(1)} s on ${line.backend}\n`,
        );
      }
    });
}
