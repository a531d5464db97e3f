// Getting pytorch-fid's FID Inception weights: from bytes (.pth in either torch.save format, or .safetensors with the
// same keys), from a local file, from a cache directory (ours, then PyTorch hub's, where pytorch-fid itself keeps
// them), or by downloading the release file into our cache. Node-only parts import node modules lazily so that the
// byte-level loader also works in a browser bundle.
import { decodeSafetensors, readTorchCheckpoint } from '@not/nets';
import { FidInceptionV3, type FidInceptionOptions } from './fid-inception-v3';

/** The file pytorch-fid downloads (weights ported from TensorFlow's 2015-12-05 Inception). */
export const FID_WEIGHTS_URL = 'https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth';
export const FID_WEIGHTS_FILE = 'pt_inception-2015-12-05-6726825d.pth';

/** True when the bytes start like safetensors: a little-endian u64 header length, then a JSON object. */
function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  return n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b; // '{'
}

/**
 * Builds the FID Inception from a weight file's bytes: a PyTorch checkpoint (zip or legacy format, as the released
 * pt_inception-2015-12-05-6726825d.pth) or safetensors, with pytorch-fid's state-dict keys. Throws naming what is
 * wrong (unreadable file, first missing key, wrong shape).
 */
export function fidInceptionFromBytes(bytes: Uint8Array, options: FidInceptionOptions = {}): FidInceptionV3 {
  const tensors = looksLikeSafetensors(bytes) ? decodeSafetensors(bytes).tensors : readTorchCheckpoint(bytes);
  return FidInceptionV3.fromWeights(tensors, options);
}

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

export interface LoadFidInceptionOptions extends FidWeightsLocation, FidInceptionOptions {}

/**
 * Finds the weight file and returns its path: `path` if given (it must exist); else the file in the cache
 * directories; else downloads `url` into `cacheDir` (written to a temporary file and renamed, so an interrupted
 * download never leaves a partial file). Like PyTorch hub, a name of the form `name-<hex>.ext` is checked against
 * the SHA-256 of the downloaded bytes, whose hex digest must start with <hex>.
 */
export async function fetchFidInceptionWeights(options: FidWeightsLocation = {}): Promise<string> {
  const fn = 'fetchFidInceptionWeights';
  const fs = await import('node:fs/promises');
  const { join, dirname } = await import('node:path');
  const { homedir } = await import('node:os');
  const exists = async (p: string) => !!(await fs.stat(p).catch(() => null))?.isFile();

  if (options.path !== undefined) {
    if (typeof options.path !== 'string' || !options.path) throw new Error(`${fn}: path must be a non-empty string, got ${String(options.path)}`);
    if (!(await exists(options.path))) throw new Error(`${fn}: no weight file at "${options.path}" (options.path)`);
    return options.path;
  }
  const url = options.url ?? FID_WEIGHTS_URL;
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  if (!name || name.includes('/') || name.includes('\\') || name === '.' || name === '..') throw new Error(`${fn}: cannot name a file after the URL "${url}"`);
  const env = typeof process === 'undefined' ? {} : process.env;
  const cacheDir = options.cacheDir ?? env.NOT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'not');
  const candidates = [join(cacheDir, name)];
  if (url === FID_WEIGHTS_URL) candidates.push(join(env.TORCH_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'torch'), 'hub', 'checkpoints', name));
  for (const candidate of candidates) if (await exists(candidate)) return candidate;

  if (options.download === false) {
    throw new Error(`${fn}: ${name} is not in ${candidates.map((c) => `"${dirname(c)}"`).join(' or ')} and downloading is off; download ${url} by hand and pass { path }`);
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const response = await fetchFn(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(
      `${fn}: could not download ${url} (${(error as Error).message}${cause ? `: ${cause}` : ''}); ` +
        `without internet, download it elsewhere and pass { path }, or put it in "${cacheDir}"`,
    );
  }
  const expected = /-([0-9a-f]+)\.[^/]*$/.exec(name)?.[1];
  if (expected) {
    const digest = Array.from(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
    if (!digest.startsWith(expected)) {
      throw new Error(`${fn}: the download of ${url} has SHA-256 ${digest}, which does not start with "${expected}" as its name says (corrupt or wrong file); nothing was cached`);
    }
  }
  await fs.mkdir(cacheDir, { recursive: true });
  const target = join(cacheDir, name);
  const temporary = `${target}.${typeof process === 'undefined' ? 0 : process.pid}.${Date.now()}.part`;
  try {
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new Error(`${fn}: could not write "${target}": ${(error as Error).message}`);
  }
  return target;
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
