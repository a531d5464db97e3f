import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { IMAGE_SPLITS, ImageDataset, type ImageSplit } from '@not/datasets';
import { openImageSource } from '@not/datasets/node';
import { type FashionClassifier, type FidInceptionV3, LPIPS_NETS, type Lpips } from '@not/metrics';
import { loadFashionClassifier, loadFidInceptionV3, loadLpips } from '@not/metrics/node';
import { backendOption, selectBackend, threadsOption } from '../backend-option';
import { defaultCacheDir } from '../files/cache-dir';
import { EVAL_METRICS, type EvalMetric, evaluateMap } from '../eval/evaluate-map';
import { integer } from '../parse';
import { progress } from '../progress';
import { loadTrainedMap } from '../train/trained-map';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("measure a trained map on held-out images: FID, KID, the Fashion-MNIST classifier's target share, LPIPS(x, T(x)), the transport cost")
    .requiredOption('--checkpoint <path>', 'a not train or not stack run directory, or a map file (T.safetensors, stack.safetensors, checkpoint.safetensors, any of @not/stacking)')
    .option('--source <spec>', "images to push through T (default: the run's source)")
    .option('--target <spec>', "images to compare with (default: the run's target)")
    .option('--metrics <list>', `comma-separated, of ${EVAL_METRICS.join(', ')} (default: classifier,cost for 32×32 grayscale runs, else fid,kid,cost)`)
    .addOption(new Option('--split <split>', 'which images of both sets: the test split reports results; validation is what runs choose by').choices([...IMAGE_SPLITS]).default('test'))
    .option('--count <N>', 'use only the first N source images of the split', integer('--count', 2))
    .option('--batch-size <B>', 'images per forward pass', integer('--batch-size', 1), 32)
    .option('--seed <S>', 'seed of the noise of a stochastic map and of the KID subsets', integer('--seed', 0), 0)
    .option('--inception-weights <file>', "pytorch-fid's pt_inception-2015-12-05-6726825d.pth (default: the cache, downloading once when online)")
    .addOption(new Option('--lpips-net <net>', 'backbone of the lpips metric').choices([...LPIPS_NETS]).default('alex'))
    .option('--cache <dir>', 'where downloaded weights and the target features are kept (default: $NOT_CACHE_DIR or ~/.cache/not)')
    .option('--json', 'print one JSON line')
    .addOption(backendOption())
    .addOption(threadsOption())
    .action(async (opts) => {
      await selectBackend(opts);
      const { size, channels, noise, trainConfig, map } = await loadTrainedMap(opts.checkpoint);
      const specs = [opts.source ?? trainConfig?.source, opts.target ?? trainConfig?.target];
      if (specs.some((spec) => spec === undefined)) {
        map.dispose();
        throw new Error(`eval: ${opts.checkpoint} does not say which data trained it (no \`not train\` configuration): give --source and --target`);
      }
      const metrics = parseMetrics(opts.metrics ?? (size === 32 && channels === 1 ? 'classifier,cost' : 'fid,kid,cost'));
      const [source, target] = await Promise.all(
        (specs as string[]).map(async (spec) => new ImageDataset(await openImageSource(spec), { size, channels })),
      );
      const cacheDir = opts.cache ?? defaultCacheDir();
      let classifier: FashionClassifier | undefined;
      let inception: FidInceptionV3 | undefined;
      let lpips: Lpips | undefined;
      try {
        if (metrics.includes('classifier')) classifier = await loadFashionClassifier();
        if (metrics.includes('fid') || metrics.includes('kid')) inception = await loadFidInceptionV3({ path: opts.inceptionWeights, cacheDir });
        if (metrics.includes('lpips')) lpips = await loadLpips(opts.lpipsNet, { cacheDir });
        const bar = progress(`eval ${source.source.name} → ${target.source.name}`, Math.min(opts.count ?? Infinity, source.splitCount(opts.split)));
        const result = await evaluateMap({
          map,
          noiseStd: noise.std,
          source,
          target,
          metrics,
          classifier,
          inception,
          lpips,
          split: opts.split,
          count: opts.count,
          batchSize: opts.batchSize,
          seed: opts.seed,
          cacheDir: join(cacheDir, 'features'),
          onProgress: (done) => bar.update(done, {}),
        });
        bar.stop();
        const line = { checkpoint: opts.checkpoint, source: source.source.name, target: target.source.name, split: opts.split as ImageSplit, ...result };
        process.stdout.write(opts.json ? `${JSON.stringify(line)}\n` : describe(line));
      } finally {
        map.dispose();
        classifier?.dispose();
        inception?.dispose();
        lpips?.dispose();
        source.source.close();
        target.source.close();
      }
    });
}

function parseMetrics(list: string): EvalMetric[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((m) => !(EVAL_METRICS as readonly string[]).includes(m));
  if (unknown.length > 0 || names.length === 0) throw new Error(`eval: --metrics must list some of ${EVAL_METRICS.join(', ')}, got "${list}"`);
  return names as EvalMetric[];
}

function describe(line: Awaited<ReturnType<typeof evaluateMap>> & { source: string; target: string; split: ImageSplit }): string {
  const rows = [`${line.source} → ${line.target}, ${line.count} images of the ${line.split} split`];
  if (line.fid !== undefined) rows.push(`  FID                 ${line.fid.toFixed(3)}`);
  if (line.kid) rows.push(`  KID                 ${line.kid.kid.toFixed(5)} ± ${line.kid.standardError.toFixed(5)}`);
  if (line.classifier) {
    rows.push(`  target-class share  ${(100 * line.classifier.targetShare).toFixed(1)}% (classes ${line.classifier.targetClasses.join(', ')})`);
    rows.push(`  classifier FD       ${line.classifier.frechet.toFixed(3)}`);
  }
  if (line.lpips !== undefined) rows.push(`  LPIPS(x, T(x))      ${line.lpips.toFixed(4)}`);
  if (line.cost !== undefined) rows.push(`  cost ‖x − T(x)‖²/D  ${line.cost.toFixed(4)}`);
  return `${rows.join('\n')}\n`;
}
