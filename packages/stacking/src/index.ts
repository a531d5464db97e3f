export { Stack } from './stack';
export { trainStack, type TrainStackOptions, type TrainStackResult, type StageOptions, type StageSettings } from './train-stack';
export type { StackEvaluation, StageReport, StageInit, PushforwardUse } from './stage-report';
export { selectDepth, type DepthDecision } from './depth-selection';
export { fitIdentity, type FitIdentityOptions } from './fit-identity';
export { identityMap } from './identity-map';
export {
  pushforwardOnTheFly,
  pushforwardCached,
  type PushforwardSampler,
  type PushforwardOptions,
  type PushforwardState,
  type ResumableSampler,
  type IndexedSampler,
} from './pushforward-sampler';
export type { StackStore, StackCheckpoint, StackRunState } from './stack-store';
export { type RunIdentity, type IdentityDifference, identityDifferences, describeDifferences, isRunIdentity } from './run-identity';
