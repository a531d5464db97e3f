import './gradients';

export * from './types';
export { Rng } from './rng';
