import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Why a file could not be written, in words, for the errors users see most. */
const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is a file, not a folder',
};

/** An error that names what could not be written and why (the system's code kept as `cause`). */
export function writeError(action: string, path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException)?.code;
  const reason = (code && REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
  return new Error(`cannot ${action} ${path}: ${reason}${code ? ` (${code})` : ''}`, { cause: error });
}

/**
 * Writes a file so that a crash or kill never leaves a partial one: the bytes go to a temporary file beside it, are
 * flushed to disk, and the temporary file is renamed over the target (rename is atomic within a directory). When
 * that fails (a full disk, a read-only folder), the error says so and the file that was there is untouched.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    const cause = writeError('write', path, error);
    throw new Error(`${cause.message}; the file that was there is untouched`, { cause: error });
  }
}

/** Creates a folder (and its parents), with an error that says why it could not be. */
export function makeDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw writeError('create the folder', path, firstFolderError(path) ?? error);
  }
}

/**
 * Node's recursive mkdir reports ENOENT whatever went wrong (on a read-only file system too); creating the first
 * missing folder alone gives the real reason.
 */
function firstFolderError(path: string): unknown {
  let missing = resolve(path);
  while (!existsSync(dirname(missing))) missing = dirname(missing);
  try {
    mkdirSync(missing);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The temporary file name writeFileAtomic uses for `name` in process `pid`. */
const TEMPORARY = /^\..+\.(\d+)\.tmp$/;

/**
 * Removes temporary files that a killed process left behind in `dir` (writeFileAtomic's, of other processes): the
 * files they were to replace are intact, so the temporaries are only litter. Returns their names.
 */
export function removeStaleTemporaries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const stale = readdirSync(dir).filter((name) => Number(TEMPORARY.exec(name)?.[1] ?? process.pid) !== process.pid);
  for (const name of stale) rmSync(join(dir, name), { force: true });
  return stale;
}
