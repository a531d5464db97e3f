export { type ToySeedOptions } from './toy/seed-source';
export * from './toy/labelled-sampler';
export * from './toy/eight-gaussians';
export * from './toy/swiss-roll';
export * from './toy/moons';
export * from './toy/standard-normal';
export * from './toy/toy-sampler';
export { randomGaussianPair, GaussianSampler, type GaussianPair, type GaussianPairOptions } from './gaussian-pair';
