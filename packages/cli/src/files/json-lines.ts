import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { writeError, writeFileAtomic } from './atomic-write';

/** Starts an empty JSON-lines log (replacing one that was there). */
export function startJsonLines(path: string): void {
  try {
    writeFileSync(path, '');
  } catch (error) {
    throw writeError('write', path, error);
  }
}

/** Appends one record to a JSON-lines log. */
export function appendJsonLine(path: string, record: object): void {
  try {
    appendFileSync(path, `${JSON.stringify(record)}\n`);
  } catch (error) {
    throw writeError('append to', path, error);
  }
}

/** Rewrites a JSON-lines log keeping only the records `keep` accepts (atomically; a missing file stays missing). */
export function keepJsonLines<T>(path: string, keep: (record: T) => boolean): void {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  writeFileAtomic(path, lines.filter((line) => keep(JSON.parse(line) as T)).map((line) => `${line}\n`).join(''));
}
