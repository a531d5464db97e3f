export type { PointBatch } from './points';
export { totalVariance } from './total-variance';
export { l2Uvp } from './l2-uvp';
export type { Bw2UvpOptions } from './bw2-uvp';
export { bw2Uvp, bw2UvpFromMoments } from './bw2-uvp';
