// @not/metrics/node: the networks' weights from local files, the cache folders ($NOT_CACHE_DIR, ~/.cache/not, PyTorch
// hub's) or a download into the cache. Node only (fs, path, os); the networks themselves are in '@not/metrics'.
export { loadFidInceptionV3, fetchFidInceptionWeights, type FidWeightsLocation, type LoadFidInceptionOptions } from './inception/load-fid-inception';
export { loadFashionClassifier, fashionClassifierWeightsPath, type FashionClassifierSource } from './fashion-classifier/load-fashion-classifier';
export { loadLpips, fetchLpipsWeights, type LpipsWeightsLocation, type LoadLpipsOptions } from './lpips/load-lpips';
export { loadVgg16Features, type LoadVgg16Options } from './vgg16/load-vgg16-features';
