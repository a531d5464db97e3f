import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RUN_FILES } from '../train/train-run';
import { STACK_FILES } from '../stack/stack-run';
import { readJsonLines } from '../files/json-lines';

/** One line of a run's logs: numbers and strings by name (stack runs add `stage`). */
export type LogLine = Record<string, unknown> & { step: number; stage?: number };

/** A PNG of the run with what it shows. */
export interface Picture {
  caption: string;
  path: string;
}

/** Everything a report shows of a run directory, read once. */
export interface RunRecord {
  dir: string;
  name: string;
  kind: 'train' | 'stack';
  config: Record<string, unknown>;
  metrics: LogLine[];
  evals: LogLine[];
  events: LogLine[];
  pictures: Picture[];
  /** best/best.json of a train run, summary.json of a stack run, when present. */
  outcome: Record<string, unknown> | null;
  /** When config.json was last written. */
  modified: Date;
}

/** The most step grids a report shows (spread evenly, the last always among them). */
const MAX_STEP_GRIDS = 12;

/** Reads a `not train` or `not stack` run directory; says what is missing when it is not one. */
export function readRunRecord(dir: string): RunRecord {
  const configPath = join(dir, RUN_FILES.config);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`report: ${dir} is not a folder (expected a run directory of not train or not stack)`);
  if (!existsSync(configPath)) throw new Error(`report: ${dir} holds no ${RUN_FILES.config}; expected a run directory of not train or not stack`);
  const config = readJson(configPath) as Record<string, unknown>;
  const kind = Array.isArray(config.stages) ? 'stack' : 'train';
  const record: RunRecord = {
    dir,
    name: basename(dir),
    kind,
    config,
    metrics: readJsonLines<LogLine>(join(dir, RUN_FILES.metrics), 'report'),
    evals: readJsonLines<LogLine>(join(dir, RUN_FILES.eval), 'report'),
    events: readJsonLines<LogLine>(join(dir, RUN_FILES.events), 'report'),
    pictures: kind === 'train' ? stepGrids(join(dir, RUN_FILES.samples)) : stackPictures(dir),
    outcome: null,
    modified: statSync(configPath).mtime,
  };
  const outcome = kind === 'train' ? join(dir, RUN_FILES.best, 'best.json') : join(dir, STACK_FILES.summary);
  if (existsSync(outcome)) record.outcome = readJson(outcome) as Record<string, unknown>;
  return record;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`report: ${path} is not readable JSON (${(error as Error).message})`);
  }
}

/** samples/step-NNNNNN.png, at most MAX_STEP_GRIDS spread over the run, the last included. */
function stepGrids(dir: string): Picture[] {
  if (!existsSync(dir)) return [];
  const all = readdirSync(dir)
    .map((name) => ({ name, step: Number(/^step-(\d+)\.png$/.exec(name)?.[1] ?? Number.NaN) }))
    .filter((g) => Number.isInteger(g.step))
    .sort((a, b) => a.step - b.step);
  const kept = all.length <= MAX_STEP_GRIDS ? all : Array.from({ length: MAX_STEP_GRIDS }, (_, i) => all[Math.round((i * (all.length - 1)) / (MAX_STEP_GRIDS - 1))]);
  return kept.map((g) => ({ caption: `step ${g.step}`, path: join(dir, g.name) }));
}

/** The stack run's pictures: the stages grid and the metric by depth. */
function stackPictures(dir: string): Picture[] {
  const pictures = [
    { caption: 'each stage on test images: x, T1(x), T2∘T1(x), …', path: join(dir, STACK_FILES.grid) },
    { caption: 'the evaluation metric by depth', path: join(dir, STACK_FILES.plot) },
  ];
  return pictures.filter((p) => existsSync(p.path));
}
