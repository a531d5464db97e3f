import { describeNonFinite, nonFinite } from '@not/ot-core';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readNpy } from '@not/datasets';
import { FeatureStatistics, type FeatureRows, kernelInceptionDistance } from '@not/metrics';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { integer } from '../parse';

export function registerMetrics(program: Command): void {
  const metrics = program.command('metrics').description('distances between feature sets (.npy N×d) or saved statistics');
  metrics
    .command('frechet')
    .description('Fréchet distance between two feature sets (FID when they are Inception pool features)')
    .requiredOption('--a <file>', 'features N×d as .npy (float32/float64), or statistics {mu, sigma} as .json')
    .requiredOption('--b <file>', 'the same for the other set')
    .option('--json', 'print one JSON line')
    .action((opts) => {
      const [a, b] = [opts.a, opts.b].map((path: string) => readStatistics(path));
      const frechet = a.frechetDistance(b);
      const line = { frechet, dim: a.dim, a: { file: opts.a, count: a.count }, b: { file: opts.b, count: b.count } };
      process.stdout.write(opts.json ? `${JSON.stringify(line)}\n` : `Fréchet distance ${frechet} (d = ${a.dim}; ${a.count} and ${b.count} vectors)\n`);
    });
  metrics
    .command('kid')
    .description('Kernel Inception Distance (unbiased MMD² with a cubic polynomial kernel) between two feature sets')
    .requiredOption('--a <file>', 'features N×d as .npy')
    .requiredOption('--b <file>', 'features M×d as .npy')
    .option('--subsets <N>', 'random subsets averaged over', integer('--subsets', 1), 100)
    .option('--subset-size <N>', 'vectors per subset from each set (capped by the smaller set)', integer('--subset-size', 2), 1000)
    .option('--seed <S>', 'seed of the subsets', integer('--seed', 0), 0)
    .option('--json', 'print one JSON line')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      await selectBackend(opts);
      const result = await kernelInceptionDistance(readFeatures(opts.a), readFeatures(opts.b), { subsets: opts.subsets, subsetSize: opts.subsetSize, seed: opts.seed });
      process.stdout.write(
        opts.json ? `${JSON.stringify(result)}\n` : `KID ${result.kid} ± ${result.standardError} (std ${result.std} over ${result.subsets} subsets of ${result.subsetSize})\n`,
      );
    });
}

/** Feature rows from a .npy file holding a float N×d array. */
function readFeatures(path: string): FeatureRows {
  const array = readNpy(new Uint8Array(readFileSync(path)));
  if (array.shape.length !== 2 || !(array.data instanceof Float32Array || array.data instanceof Float64Array)) {
    throw new Error(`metrics: ${path} must hold a float32 or float64 array of shape [N, d], got ${array.dtype} [${array.shape.join(', ')}]`);
  }
  const found = nonFinite(array.data);
  if (found) throw new Error(`metrics: ${path} holds ${describeNonFinite(found, array.shape)}; features must be finite`);
  return { data: array.data, rows: array.shape[0], dim: array.shape[1] };
}

/** Statistics from .json ({mu, sigma}) or from the features in a .npy file. */
function readStatistics(path: string): FeatureStatistics {
  if (path.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`metrics: ${path} is not readable JSON: ${(error as Error).message}`);
    }
    return FeatureStatistics.fromJSON(json as never, path);
  }
  const features = readFeatures(path);
  const stats = new FeatureStatistics(features.dim);
  stats.add(features.data);
  return stats;
}
