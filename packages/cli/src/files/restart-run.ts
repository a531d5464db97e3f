import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemporaries, writeError } from './atomic-write';

/** What `--restart` needs to know of a kind of run. */
export interface RunKind {
  /** The command, for messages (`train`, `stack`). */
  command: string;
  /** The checkpoint's name in the run folder and its metadata format. */
  checkpoint: string;
  format: string;
  /** The run's own files and folders in its run folder (the checkpoint among them). */
  entries: readonly string[];
}

/**
 * `--restart`: removes a run's own files from `out` (its entries, and the temporaries a killed run left there) so that
 * a new run starts in their place; nothing else in `out` is touched. Refuses when `out`'s checkpoint belongs to another
 * kind of run (an unreadable checkpoint, as a half-written or damaged run leaves, is removed). Returns what went.
 */
export function removeRunFiles(out: string, kind: RunKind): string[] {
  const checkpoint = join(out, kind.checkpoint);
  const format = existsSync(checkpoint) ? checkpointFormat(checkpoint) : null;
  if (format !== null && format !== kind.format) {
    throw new Error(`${kind.command} --restart: ${checkpoint} is not a \`not ${kind.command}\` checkpoint (format "${format}"); nothing was removed: choose another --out`);
  }
  const removed: string[] = [];
  // The checkpoint goes first: a kill midway leaves no checkpoint to resume beside a partial run's logs.
  for (const name of [kind.checkpoint, ...kind.entries.filter((e) => e !== kind.checkpoint)]) {
    const path = join(out, name);
    if (!existsSync(path)) continue;
    try {
      rmSync(path, { recursive: true, force: true });
    } catch (error) {
      throw writeError('remove', path, error);
    }
    removed.push(name);
  }
  return [...removed, ...removeStaleTemporaries(out)];
}

/** The `format` metadata of a safetensors file, read from its header alone; null when the header cannot be read. */
function checkpointFormat(path: string): string | null {
  const fd = openSync(path, 'r');
  try {
    const size = Buffer.alloc(8);
    if (readSync(fd, size, 0, 8, 0) < 8) return null;
    const length = Number(size.readBigUInt64LE(0));
    if (!(length > 0 && length < 100 * 2 ** 20)) return null;
    const header = Buffer.alloc(length);
    if (readSync(fd, header, 0, length, 8) < length) return null;
    const metadata = (JSON.parse(header.toString('utf8')) as { __metadata__?: Record<string, string> }).__metadata__;
    return metadata?.format ?? 'none';
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
