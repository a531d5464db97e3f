import './gradients';

export * from './types';
export { Rng, type RngState } from './rng';
export * from './linalg/index';
export * from './gaussian/index';
export { type Scheduled, valueAt, constant, linearRamp, cosineDecay } from './schedule';
export { quadraticCost, type QuadraticScale } from './costs/quadratic';
export { weakQuadraticCost } from './costs/weak-quadratic';
export { defineCost, sumCosts, scaleCost } from './costs/combinators';
export { cosineCost } from './costs/cosine';
export { euclideanCost } from './costs/euclidean';
export { relaxedEmd } from './sets/relaxed-emd';
export { momentMatching, moments, type Moments } from './sets/moment-matching';
export { selfSimilarity } from './sets/self-similarity';
export { Adam, type AdamOptions } from './optim/adam';
export { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './optim/adam-kernel';
export { freeze, whileFrozen } from './freeze';
export { moduleBuffers, restoringBuffers } from './module-buffers';
export { mapNoise, pushForward } from './push-forward';
// Modules that hold the exact OT solution between Gaussians (x ↦ xW + b, f(y) = yᵀAy + cᵀy): for checking solvers.
export { affineMap, quadraticPotential, type OwnedModule } from './testing/affine-modules';
export { NeuralOT, type NeuralOTOptions, type SolverProgress, type SolverSnapshot, type StepReport, type FitOptions, type GuardEvent, type DivergenceEvent, type CollapseEvent } from './solver/neural-ot';
export { DivergenceGuard, type DivergenceGuardOptions, type Divergence, type ModeCollapse } from './solver/divergence-guard';
export { type NoisedPotentialOptions, sampleSigmas, edmWeight } from './solver/noise-levels';
