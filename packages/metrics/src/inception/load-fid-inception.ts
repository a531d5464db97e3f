// Getting pytorch-fid's FID Inception weights from a local file, from a cache directory (ours, then PyTorch hub's,
// where pytorch-fid itself keeps them), or by downloading the release file into our cache. Node only
// (@not/metrics/node); in a browser, fetch the file and use fidInceptionFromBytes.
import { defaultCacheDir, findOrDownload, givenFile, torchHubCheckpoints } from '../weights/weight-file-cache';
import type { FidInceptionOptions, FidInceptionV3 } from './fid-inception-v3';
import { FID_WEIGHTS_URL, fidInceptionFromBytes } from './fid-inception-weights';

/** Where {@link fetchFidInceptionWeights} finds the weight file, and whether and how it may download it. */
export interface FidWeightsLocation {
  /** A local .pth / .safetensors file; when given, nothing else is tried. */
  path?: string;
  /**
   * Where downloads are kept and looked for. Default: $NOT_CACHE_DIR, else $XDG_CACHE_HOME/not, else ~/.cache/not.
   * For the default URL, PyTorch hub's checkpoint folder ($TORCH_HOME/hub/checkpoints, default
   * ~/.cache/torch/hub/checkpoints, where pytorch-fid caches the same file) is also searched.
   */
  cacheDir?: string;
  /** Default {@link FID_WEIGHTS_URL}. The file is named after the URL's last path segment. */
  url?: string;
  /** Whether a missing file may be downloaded. Default true. */
  download?: boolean;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/** Options of {@link loadFidInceptionV3}: where the weights are, and the network's options. */
export interface LoadFidInceptionOptions extends FidWeightsLocation, FidInceptionOptions {}

/**
 * Finds the weight file and returns its path: `path` if given (it must exist); else the file in the cache
 * directories; else downloads `url` into `cacheDir` (written to a temporary file and renamed, so an interrupted
 * download never leaves a partial file). Like PyTorch hub, a name of the form `name-<hex>.ext` is checked against
 * the SHA-256 of the downloaded bytes, whose hex digest must start with <hex>.
 */
export async function fetchFidInceptionWeights(options: FidWeightsLocation = {}): Promise<string> {
  const fn = 'fetchFidInceptionWeights';
  const given = await givenFile(fn, 'path', options.path);
  if (given !== null) return given;
  const url = options.url ?? FID_WEIGHTS_URL;
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  if (!name || name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new Error(`${fn}: cannot name a file after the URL "${url}"`);
  return findOrDownload({
    fn,
    name,
    url,
    cacheDir: options.cacheDir ?? (await defaultCacheDir()),
    otherDirs: url === FID_WEIGHTS_URL ? [await torchHubCheckpoints()] : [],
    download: options.download ?? true,
    fetch: options.fetch ?? globalThis.fetch,
    pathOption: 'path',
  });
}

/**
 * The FID Inception from a local file or the cache, downloading pytorch-fid's release file when needed (see
 * {@link fetchFidInceptionWeights}). Node only.
 */
export async function loadFidInceptionV3(options: LoadFidInceptionOptions = {}): Promise<FidInceptionV3> {
  const path = await fetchFidInceptionWeights(options);
  const { readFile } = await import('node:fs/promises');
  const bytes = new Uint8Array(await readFile(path));
  try {
    return fidInceptionFromBytes(bytes, { batchSize: options.batchSize });
  } catch (error) {
    throw new Error(`loadFidInceptionV3: "${path}": ${(error as Error).message}`);
  }
}
