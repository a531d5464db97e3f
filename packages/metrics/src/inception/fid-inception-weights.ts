// Getting pytorch-fid's FID Inception weights: from bytes (.pth in either torch.save format, or .safetensors with the
// same keys), from a local file, from a cache directory (ours, then PyTorch hub's, where pytorch-fid itself keeps
// them), or by downloading the release file into our cache. Node-only parts import node modules lazily so that the
// byte-level loader also works in a browser bundle.
import { readWeightFile } from '../weights/read-weight-file';
import { defaultCacheDir, findOrDownload, givenFile, torchHubCheckpoints } from '../weights/weight-file-cache';
import { FidInceptionV3, type FidInceptionOptions } from './fid-inception-v3';

/** The file pytorch-fid downloads (weights ported from TensorFlow's 2015-12-05 Inception). */
export const FID_WEIGHTS_URL = 'https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth';
/** The name of {@link FID_WEIGHTS_URL}'s file, as pytorch-fid and PyTorch hub cache it; its hex part is a SHA-256 prefix. */
export const FID_WEIGHTS_FILE = 'pt_inception-2015-12-05-6726825d.pth';

/**
 * Builds the FID Inception from a weight file's bytes: a PyTorch checkpoint (zip or legacy format, as the released
 * pt_inception-2015-12-05-6726825d.pth) or safetensors, with pytorch-fid's state-dict keys. Throws naming what is
 * wrong (unreadable file, first missing key, wrong shape).
 */
export function fidInceptionFromBytes(bytes: Uint8Array, options: FidInceptionOptions = {}): FidInceptionV3 {
  const tensors = readWeightFile(bytes);
  return FidInceptionV3.fromWeights(tensors, options);
}

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
