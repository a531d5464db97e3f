import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where downloaded weights and dataset features are kept: $NOT_CACHE_DIR, else $XDG_CACHE_HOME/not or ~/.cache/not. */
export function defaultCacheDir(): string {
  return process.env.NOT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'not');
}
