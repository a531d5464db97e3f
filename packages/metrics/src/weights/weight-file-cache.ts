// Finding a weight file: a path the user gave, or the file in cache folders, or a download into ours with an
// integrity check (used by the FID Inception and LPIPS loaders). Node only: node modules are imported lazily so that
// bundles that never call this do not need them.

export interface CachedFileRequest {
  /** The calling function, for error messages. */
  fn: string;
  /** The file's name in the cache folders. */
  name: string;
  url: string;
  /** Our cache folder, searched first and downloaded into. */
  cacheDir: string;
  /** Other folders to search (e.g. PyTorch hub's). */
  otherDirs: string[];
  /** Whether a missing file may be downloaded. */
  download: boolean;
  fetch: typeof globalThis.fetch;
  /** Which option lets a user pass the file instead (for the messages), e.g. "trunkPath". */
  pathOption: string;
  /**
   * The expected SHA-256 in hex, or a prefix of it; null: not checked. Default: the hex digits a name of the form
   * `name-<hex>.ext` carries (PyTorch hub's convention), else not checked.
   */
  sha256?: string | null;
}

/** Default cache folder: $NOT_CACHE_DIR, else $XDG_CACHE_HOME/not, else ~/.cache/not (as the FID loader). */
export async function defaultCacheDir(): Promise<string> {
  const { join } = await import('node:path');
  const { homedir } = await import('node:os');
  const env = typeof process === 'undefined' ? {} : process.env;
  return env.NOT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'not');
}

/** PyTorch hub's checkpoint folder ($TORCH_HOME/hub/checkpoints, default ~/.cache/torch/hub/checkpoints). */
export async function torchHubCheckpoints(): Promise<string> {
  const { join } = await import('node:path');
  const { homedir } = await import('node:os');
  const env = typeof process === 'undefined' ? {} : process.env;
  return join(env.TORCH_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'torch'), 'hub', 'checkpoints');
}

export async function isFile(path: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  return !!(await fs.stat(path).catch(() => null))?.isFile();
}

/**
 * A path the user passed as `options[option]`: null when not given, else the path, which must name a file. Errors
 * name `fn` and the option.
 */
export async function givenFile(fn: string, option: string, value: unknown): Promise<string | null> {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !value) throw new Error(`${fn}: ${option} must be a non-empty string, got ${String(value)}`);
  if (!(await isFile(value))) throw new Error(`${fn}: no weight file at "${value}" (options.${option})`);
  return value;
}

/**
 * The path of `name` in `cacheDir` or one of `otherDirs`; else downloads `url` into `cacheDir` (written to a temporary
 * file and renamed, so an interrupted download never leaves a partial file) after checking its SHA-256 (unless
 * `sha256` is null). Errors name `fn`, the file and where it was looked for.
 */
export async function findOrDownload(request: CachedFileRequest): Promise<string> {
  const { fn, name, url, cacheDir, download, pathOption } = request;
  const sha256 = request.sha256 !== undefined ? request.sha256 : (/-([0-9a-f]+)\.[^/]*$/.exec(name)?.[1] ?? null);
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  const dirs = [cacheDir, ...request.otherDirs];
  for (const dir of dirs) if (await isFile(join(dir, name))) return join(dir, name);

  const byHand = `download ${url} by hand and pass { ${pathOption} }, or put it in "${cacheDir}" as ${name}`;
  if (!download) throw new Error(`${fn}: ${name} is not in ${dirs.map((d) => `"${d}"`).join(' or ')} and downloading is off; ${byHand}`);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const response = await request.fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${fn}: ${name} is not in ${dirs.map((d) => `"${d}"`).join(' or ')} and could not be downloaded from ${url} (${(error as Error).message}${cause ? `: ${cause}` : ''}); without internet, ${byHand}`);
  }
  if (sha256 !== null) {
    const digest = Array.from(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
    if (!digest.startsWith(sha256)) {
      throw new Error(`${fn}: the download of ${url} has SHA-256 ${digest}, expected ${sha256.length < 64 ? 'one starting with ' : ''}"${sha256}" (corrupt or wrong file); nothing was cached`);
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
