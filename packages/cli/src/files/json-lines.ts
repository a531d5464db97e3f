import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write';

/** Rewrites a JSON-lines log keeping only the records `keep` accepts (atomically; a missing file stays missing). */
export function keepJsonLines<T>(path: string, keep: (record: T) => boolean): void {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  writeFileAtomic(path, lines.filter((line) => keep(JSON.parse(line) as T)).map((line) => `${line}\n`).join(''));
}
