import type { ImageSource } from '@not/datasets';
import type { SolverProgress } from '@not/ot-core';
import { type ResumeDifference, type RunEnvironment, type RunRecord, compareRuns, describeApplied, environmentSettings, flagOf, imageFingerprint, resumeRefusal } from '../files/run-identity';
import type { TrainConfig } from './train-config';

/**
 * What defines a `not train` run: every configuration setting but its length and intervals (which a resume may
 * change, as the backend and threads; the preset only fills in values, which are all there), and the images' count and shape; `not train` reads no input map.
 */
export function trainRecord(config: TrainConfig, images: { source: ImageSource; target: ImageSource } | null, environment?: RunEnvironment): RunRecord {
  const { steps, sampleEvery, checkpointEvery, evalEvery, preset: _preset, ...settings } = config;
  const fingerprints: Record<string, string> = images ? { sourceImages: imageFingerprint(images.source), targetImages: imageFingerprint(images.target) } : {};
  return {
    identity: { settings: { ...settings, ...fingerprints }, inputs: {} },
    adjustable: { steps, sampleEvery, checkpointEvery, evalEvery, ...environmentSettings(environment) },
  };
}

/**
 * Checks `not train --resume` against the checkpoint before anything in `out` is touched: throws, listing every
 * setting that differs from the stored run, when the run asked for is another one; returns the line to log about the
 * adjustable settings it changes (null when none). A checkpoint written before runs recorded their identity is checked
 * on its configuration alone (its images' count and shape were not recorded).
 */
export function checkTrainResume(
  out: string,
  saved: { config: TrainConfig; progress: SolverProgress; record: RunRecord | null },
  asked: RunRecord,
): string | null {
  const stored = saved.record ?? trainRecord(saved.config, null);
  const comparable: RunRecord = saved.record ? asked : { ...asked, identity: { ...asked.identity, settings: withoutImages(asked.identity.settings) } };
  const { refused, applied } = compareRuns(stored, comparable);
  const steps = asked.adjustable.steps as number;
  if (steps < saved.progress.step) {
    const more: ResumeDifference = { path: 'steps', stored: stored.adjustable.steps, asked: steps, note: `the run has done ${saved.progress.step} steps already` };
    refused.push(more);
    const listed = applied.findIndex((d) => d.path === 'steps');
    if (listed >= 0) applied.splice(listed, 1);
  }
  if (refused.length > 0) throw resumeRefusal('train', out, refused, trainSettingName);
  return applied.length > 0 ? describeApplied(out, applied, trainSettingName) : null;
}

/** A RunRecord path as the user knows it: the flag, or what a fingerprint is of. */
export function trainSettingName(path: string, renamed: Record<string, string> = {}): string {
  const key = path.replace(/^settings\./, '');
  if (key === 'sourceImages' || key === 'targetImages') return `${key.slice(0, 6)} images (count and shape)`;
  return flagOf(key, renamed);
}

function withoutImages({ sourceImages: _s, targetImages: _t, ...rest }: RunRecord['identity']['settings']): RunRecord['identity']['settings'] {
  return rest;
}
