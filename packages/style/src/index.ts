export { sampleHypercolumns, randomPositions, type Positions } from './hypercolumns';
export { strotssLosses, STROTSS_LAYERS, type ImagePoints, type StrotssLosses } from './strotss-loss';
