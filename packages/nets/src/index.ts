export { Mlp, type MlpOptions } from './mlp';
export { MlpMap, type MlpMapOptions } from './mlp-map';
export { MlpPotential, type MlpPotentialOptions } from './mlp-potential';
export { type Activation, activate } from './activation';
export { type WeightInit, initLinear } from './init';
export { sigmaEmbedding } from './sigma-embedding';
