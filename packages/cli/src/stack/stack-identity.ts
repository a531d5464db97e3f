import type { ImageSource } from '@not/datasets';
import type { StackRunState } from '@not/stacking';
import { type ResumeDifference, type RunEnvironment, type RunRecord, compareRuns, describeApplied, environmentSettings, flagOf, imageFingerprint, resumeRefusal } from '../files/run-identity';
import type { StackConfig, StackFlags } from './stack-config';

/** A `not stack` run's record: what defines it, and the flags it was made from (a resume fills in those left out). */
export interface StackRunRecord extends RunRecord {
  flags: StackFlags;
}

/**
 * What defines a `not stack` run: the settings of its stages (those of the first one it trains, with its base seed;
 * the cost settings of its last; every later stage follows from them), how stages start and when they stop, the
 * images' count and shape, and the SHA-256 of the --first run's files it reads. The number of stages, their steps and
 * intervals, where the --first run is, the backend and threads may change on resume (within limits: see
 * checkStackResume).
 */
export function stackRecord(
  config: StackConfig,
  flags: StackFlags,
  images: { source: ImageSource; target: ImageSource },
  first: { sha256: string } | null,
  environment?: RunEnvironment,
): StackRunRecord {
  const given = first ? 1 : 0;
  const { steps, sampleEvery, checkpointEvery, evalEvery, preset: _preset, seed, ...settings } = config.stages[given];
  const { cost, gamma, gammaSteps, noiseSamples, noiseStd } = config.stages[config.stages.length - 1];
  return {
    identity: {
      settings: {
        ...settings,
        seed: seed - given,
        finalStage: { cost, gamma, gammaSteps, noiseSamples, noiseStd },
        init: config.init,
        margin: config.margin,
        pushforward: config.pushforward,
        sourceImages: imageFingerprint(images.source),
        targetImages: imageFingerprint(images.target),
      },
      inputs: first ? { first: first.sha256 } : {},
    },
    adjustable: { stages: config.stages.length, steps, sampleEvery, checkpointEvery, evalEvery, ...(config.first ? { first: config.first } : {}), ...environmentSettings(environment) },
    flags: Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as StackFlags,
  };
}

/**
 * Checks `not stack --resume` against the checkpoint before anything in `out` is touched: throws, listing every
 * difference (stored → asked), when the run asked for is another one: other settings or --first content; fewer stages
 * than it has started; other steps per stage once a stage it trained is finished (its stages would differ in length),
 * or fewer than the stage in progress has done. Returns the line to log about the settings it changes (null: none).
 */
export function checkStackResume(out: string, stored: { record: StackRunRecord | null; state: StackRunState }, asked: StackRunRecord): string | null {
  if (!stored.record) {
    throw new Error(
      `stack --resume: ${out} was checkpointed by a \`not stack\` that did not record what defines a run (its settings and the content of its --first run), ` +
        `so it cannot be checked against what is asked now. Nothing in ${out} was changed. To start afresh, add --restart (deletes this run's files in ${out} first) or choose another --out.`,
    );
  }
  const { refused, applied } = compareRuns(stored.record, asked);
  const given = asked.identity.inputs.first ? 1 : 0;
  const { reports, progress, stage } = stored.state;
  const started = reports.length + (progress ? 1 : 0);
  const move = (path: string, note: string) => {
    const i = applied.findIndex((d) => d.path === path);
    if (i >= 0) refused.push({ ...applied.splice(i, 1)[0], note });
  };
  if ((asked.adjustable.stages as number) < started) move('stages', `${started} stages are trained or in training`);
  const trained = reports.length - given;
  if (trained > 0) move('steps', `stage${trained > 1 ? 's' : ''} ${reports.slice(given).map((r) => r.stage).join(', ')} finished with ${stored.record.adjustable.steps} steps`);
  else if (progress && (asked.adjustable.steps as number) < progress.step) move('steps', `stage ${stage} has done ${progress.step} steps already`);
  if (refused.length > 0) throw resumeRefusal('stack', out, refused as ResumeDifference[], stackSettingName);
  return applied.length > 0 ? describeApplied(out, applied, stackSettingName) : null;
}

/** A StackRunRecord path as the user knows it. */
export function stackSettingName(path: string): string {
  const key = path.replace(/^settings\./, '');
  if (key === 'sourceImages' || key === 'targetImages') return `${key.slice(0, 6)} images (count and shape)`;
  if (key === 'inputs.first') return '--first run (content of its map and checkpoint files)';
  if (key === 'finalStage.cost') return '--final-cost (the last stage\'s cost)';
  if (key.startsWith('finalStage.')) return `the last stage's ${flagOf(key.slice('finalStage.'.length))}`;
  return flagOf(key, { steps: 'stage-steps', evalMetric: 'select-by' });
}
