export type { PointBatch } from './points';
export { totalVariance } from './total-variance';
export { l2Uvp } from './l2-uvp';
export type { Bw2UvpOptions } from './bw2-uvp';
export { bw2Uvp, bw2UvpFromMoments } from './bw2-uvp';
export type { FeatureExtractor } from './features/feature-extractor';
export { FeatureStatistics, type FeatureStatisticsJson } from './features/feature-statistics';
export { kernelInceptionDistance, type FeatureRows, type KidOptions, type KidResult } from './features/kid';
