// Closed-form optimal transport between Gaussians: the ground truth for benchmarks and the core of FID.
export type { AffineMap, GaussianOptions } from './gaussian-ot-map';
export { applyAffineMap, gaussianOtMap } from './gaussian-ot-map';
export { frechetDistance, gaussianW2Squared } from './gaussian-w2';
export type { SampleMoments } from './moments';
export { meanAndCovariance } from './moments';
