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
export { loadTransportMap, type LoadedTransportMap } from './load-transport-map';
export { encodeTransportMap, type MapFileOptions, type StackFileOptions, type StackStageOptions } from './encode-transport-map';
export {
  TRANSPORT_MAP_FORMAT,
  READABLE_MAP_FORMATS,
  type ReadableMapFormat,
  type MapNetwork,
  type MapStageInfo,
  type MapFileLayout,
} from './map-file-format';
