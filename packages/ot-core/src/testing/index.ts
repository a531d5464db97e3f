// `@not/ot-core/testing`: helpers for tests and for backends, kept out of the main entry.

// Modules that hold the exact OT solution between Gaussians (x ↦ xW + b, f(y) = yᵀAy + cᵀy): for checking solvers.
export { affineMap, quadraticPotential, diagonalGaussian, type OwnedModule } from './affine-modules';
// The fused Adam kernel's name and attributes, for a backend that registers it (@not/backends does on wasm).
export { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../optim/adam-kernel';
