import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ImageSource } from '@not/datasets';
import { type IdentityDifference, type RunIdentity, identityDifferences } from '@not/stacking';

/**
 * What defines a run of `not train` or `not stack`, recorded in each of its checkpoints: `identity` must be the same
 * for `--resume` to continue the run; `adjustable` may change on resume (it is applied and reported).
 */
export interface RunRecord {
  identity: {
    /** The settings that shape the result: data, image size, networks, cost, optimizer, seed, stages' make-up. */
    settings: Record<string, RunIdentity>;
    /** SHA-256 of every input map file read, by role (`first`: the run stacked on), so that new bytes behind an unchanged path count. */
    inputs: Record<string, string>;
  };
  /** Lengths, how often to sample, evaluate and checkpoint, the backend and threads, where the input maps are. */
  adjustable: Record<string, RunIdentity>;
}

/** Where a run is computed: may change on resume, and a resume says so. */
export interface RunEnvironment {
  backend?: string;
  threads?: number;
}

/** A difference that stops a resume, or is applied by it; `note` says more than the two values do. */
export interface ResumeDifference extends IdentityDifference {
  note?: string;
}

/** SHA-256 of a file's bytes, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** SHA-256 of several files' bytes, each prefixed by its length (so that no two sets of files share a hash). */
export function sha256Files(paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) {
    const bytes = readFileSync(path);
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

/**
 * What a run's images are, cheaply: their number and stored shape. Image files are not hashed (an HDF5 set is
 * gigabytes); a file replaced by another of the same count and shape goes unnoticed.
 */
export function imageFingerprint(source: Pick<ImageSource, 'count' | 'height' | 'width' | 'channels'>): string {
  return `${source.count} images ${source.height}×${source.width}×${source.channels}`;
}

/** The environment's entries of a run's adjustable settings (only those known). */
export function environmentSettings({ backend, threads }: RunEnvironment = {}): Record<string, RunIdentity> {
  return { ...(backend !== undefined ? { backend } : {}), ...(threads !== undefined ? { threads } : {}) };
}

/**
 * How the run asked for differs from the stored one: `refused`, every difference in what defines the run; `applied`,
 * the adjustable settings that changed (those unknown on either side, such as the backend of a run recorded without
 * it, are left out).
 */
export function compareRuns(stored: RunRecord, asked: RunRecord): { refused: ResumeDifference[]; applied: ResumeDifference[] } {
  const refused = identityDifferences(stored.identity, asked.identity);
  const applied = identityDifferences(stored.adjustable, asked.adjustable).filter((d) => d.stored !== undefined && d.asked !== undefined);
  return { refused, applied };
}

/**
 * The error a refused resume throws: every differing setting (stored → asked), that nothing was touched, and how to
 * start afresh. `name` turns a difference's path into the flag the user knows.
 */
export function resumeRefusal(command: string, out: string, differences: readonly ResumeDifference[], name: (path: string) => string): Error {
  const lines = differences.map((d) => `  ${name(d.path)}: ${show(d.stored)} → ${show(d.asked)}${d.note ? ` (${d.note})` : ''}`);
  return new Error(
    `${command} --resume: ${out} holds another run than the one asked for (stored → asked):\n${lines.join('\n')}\n` +
      `Nothing in ${out} was changed. To start afresh, add --restart (deletes this run's files in ${out} first) or choose another --out.`,
  );
}

/** The one line a resume logs about the adjustable settings it changes. */
export function describeApplied(out: string, applied: readonly ResumeDifference[], name: (path: string) => string): string {
  return `resuming ${out} with changed settings: ${applied.map((d) => `${name(d.path)} ${show(d.stored)} → ${show(d.asked)}${d.note ? ` (${d.note})` : ''}`).join(', ')}`;
}

/** A value as a user reads it: hashes shortened, strings bare, the rest as JSON. */
function show(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return /^[0-9a-f]{64}$/.test(value) ? `sha256 ${value.slice(0, 12)}…` : value;
  return JSON.stringify(value);
}

/** The command-line flag of a configuration key (`tIters` → `--t-iters`), with the exceptions that have names of their own. */
export function flagOf(key: string, renamed: Record<string, string> = {}): string {
  const names: Record<string, string> = { beta1: 'adam-beta1', beta2: 'adam-beta2', ...renamed };
  return `--${names[key] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
