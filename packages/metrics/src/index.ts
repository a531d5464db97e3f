// Browser-safe: every network here is built from weight bytes. Loading weight files from disk, the cache folders or a
// download is in ./node.ts, published as @not/metrics/node.
export type { PointBatch } from './points';
export { totalVariance } from './total-variance';
export { l2Uvp } from './l2-uvp';
export type { Bw2UvpOptions } from './bw2-uvp';
export { bw2Uvp, bw2UvpFromMoments } from './bw2-uvp';
export type { FeatureExtractor } from './features/feature-extractor';
export { FeatureStatistics, type FeatureStatisticsJson } from './features/feature-statistics';
export { kernelInceptionDistance, type FeatureRows, type KidOptions, type KidResult } from './features/kid';
export {
  FidInceptionV3,
  checkFidInceptionWeights,
  fidInceptionWeightShapes,
  FID_INCEPTION_SIZE,
  type FidInceptionWeights,
  type WeightTensor,
  type FidInceptionOptions,
  type FidInceptionStage,
} from './inception/fid-inception-v3';
export { fidInceptionFromBytes, FID_WEIGHTS_URL, FID_WEIGHTS_FILE } from './inception/fid-inception-weights';
export {
  FashionClassifier,
  FASHION_CLASSIFIER_WEIGHTS_FILE,
  type FashionClassifierOptions,
} from './fashion-classifier/fashion-classifier';
export { Lpips, type LpipsOptions } from './lpips/lpips';
export { LPIPS_NETS, LPIPS_CHANNELS, lpipsWeightShapes, lpipsMinSize, type LpipsNet } from './lpips/lpips-architecture';
export { checkLpipsWeights, type LpipsWeights } from './lpips/lpips-weights';
export { lpipsFromBytes, readLpipsWeightFiles, LPIPS_TRUNK_FILES, LPIPS_LIN_FILES } from './lpips/lpips-files';
export { perImageL2 } from './lpips/per-image-l2';
export { VGG16_LAYERS, VGG16_WIDTHS, type Vgg16Layer } from './vgg16/vgg16-architecture';
export { Vgg16Features, VGG16_WEIGHTS, type Vgg16FeaturesOptions } from './vgg16/vgg16-features';
