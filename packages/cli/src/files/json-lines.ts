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

/** The records of a JSON-lines log ([] when it is absent); an error names `fn`, the file and the line that is not JSON. */
export function readJsonLines<T>(path: string, fn: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as T];
    } catch (error) {
      throw new Error(`${fn}: ${path} line ${i + 1} is not JSON (${(error as Error).message})`);
    }
  });
}

/** Rewrites a JSON-lines log keeping only the records `keep` accepts (atomically; a missing file stays missing). */
export function keepJsonLines<T>(path: string, keep: (record: T) => boolean): void {
  if (!existsSync(path)) return;
  const kept = readJsonLines<T>(path, 'keepJsonLines').filter(keep);
  writeFileAtomic(path, kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
}
