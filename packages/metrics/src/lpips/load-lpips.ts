// Getting LPIPS weights from local files, the cache folders (ours, and PyTorch hub's where torchvision keeps its
// downloads) or a download. Node only (@not/metrics/node); in a browser, fetch the files and use lpipsFromBytes.
import { defaultCacheDir, findOrDownload, givenFile, torchHubCheckpoints } from '../weights/weight-file-cache';
import { checkLpipsNet, type LpipsNet } from './lpips-architecture';
import { LPIPS_LIN_FILES, LPIPS_TRUNK_FILES, readLpipsWeightFiles } from './lpips-files';
import { Lpips, type LpipsOptions } from './lpips';

/** Where {@link fetchLpipsWeights} finds the weight files, and whether and how it may download them. */
export interface LpipsWeightsLocation {
  /** One local file (.safetensors or .pth) with the trunk and lin keys; when given, nothing else is tried. */
  path?: string;
  /** torchvision's trunk file (alexnet-owt-7be5be79.pth / vgg16-397923af.pth, or any file with its features.* keys). */
  trunkPath?: string;
  /** lpips' lin file (its weights/v0.1/alex.pth / vgg.pth). */
  linPath?: string;
  /**
   * Where downloads are kept and looked for. Default: $NOT_CACHE_DIR, else $XDG_CACHE_HOME/not, else ~/.cache/not.
   * The trunk file is also looked for in PyTorch hub's folder ($TORCH_HOME/hub/checkpoints, default
   * ~/.cache/torch/hub/checkpoints), where torchvision (and so lpips) caches it.
   */
  cacheDir?: string;
  /** Whether missing files may be downloaded (torchvision's 233 MB / 528 MB trunk, lpips' 6-7 kB lin file). Default true. */
  download?: boolean;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/**
 * The weight files for `net`, as paths: [path] when `path` is given; else [trunk, lin], each the given path (which
 * must exist) or found in the cache folders or downloaded (checked against its SHA-256: for the trunk the prefix in
 * torchvision's file name, for the lin file its full digest). Node only.
 */
export async function fetchLpipsWeights(net: LpipsNet, options: LpipsWeightsLocation = {}): Promise<string[]> {
  const fn = 'fetchLpipsWeights';
  checkLpipsNet(fn, net);
  const given = (name: 'path' | 'trunkPath' | 'linPath') => givenFile(fn, name, options[name]);
  const single = await given('path');
  if (single !== null) return [single];
  const cacheDir = options.cacheDir ?? (await defaultCacheDir());
  const common = { fn, cacheDir, download: options.download ?? true, fetch: options.fetch ?? globalThis.fetch };
  const trunk = LPIPS_TRUNK_FILES[net];
  const lin = LPIPS_LIN_FILES[net];
  const trunkPath =
    (await given('trunkPath')) ??
    (await findOrDownload({
      ...common,
      name: trunk.file,
      url: trunk.url,
      otherDirs: [await torchHubCheckpoints()],
      pathOption: 'trunkPath',
    }));
  const linPath =
    (await given('linPath')) ?? (await findOrDownload({ ...common, name: lin.file, url: lin.url, otherDirs: [], pathOption: 'linPath', sha256: lin.sha256 }));
  return [trunkPath, linPath];
}

/** Options of {@link loadLpips}: where the weights are, and the metric's options. */
export interface LoadLpipsOptions extends LpipsWeightsLocation, LpipsOptions {}

/** The metric from local files or the cache, downloading what is missing (see {@link fetchLpipsWeights}). Node only. */
export async function loadLpips(net: LpipsNet, options: LoadLpipsOptions = {}): Promise<Lpips> {
  const paths = await fetchLpipsWeights(net, options);
  const { readFile } = await import('node:fs/promises');
  const files = await Promise.all(paths.map(async (p) => new Uint8Array(await readFile(p))));
  const weights = readLpipsWeightFiles(files, { fn: 'loadLpips', labels: paths.map((p) => `"${p}"`) });
  try {
    return Lpips.fromWeights(net, weights, { batchSize: options.batchSize });
  } catch (error) {
    throw new Error(`loadLpips: ${paths.map((p) => `"${p}"`).join(' + ')}: ${(error as Error).message}`);
  }
}
