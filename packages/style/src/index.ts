export { styleTransfer, type StyleTransferOptions, type StyleProgress } from './style-transfer';
export { strotssLosses, STROTSS_LAYERS, type ImagePoints, type StylePoints, type StrotssLosses } from './strotss-loss';
export { sampleHypercolumns, randomPositions, type Positions } from './hypercolumns';
export { laplacianPyramid, foldPyramid, laplacian } from './laplacian-pyramid';
export { coarseToFine } from './coarse-to-fine';
