export { type ToySeedOptions } from './toy/seed-source';
export * from './toy/labelled-sampler';
export * from './toy/eight-gaussians';
export * from './toy/swiss-roll';
export * from './toy/moons';
export * from './toy/standard-normal';
export * from './toy/toy-sampler';
export { randomGaussianPair, GaussianSampler, type GaussianPair, type GaussianPairOptions } from './gaussian-pair';
export { readNpy, writeNpy, type NpyArray, type NpyDtype, type NpyWritable } from './formats/npy';
export { parseIdx, readIdx, encodeIdx, isGzip, type IdxArray } from './images/idx';
export {
  openFashionMnist,
  fashionMnistClassIds,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_SHOES,
  EMBEDDED_FASHION_MNIST_CLASSES,
  DEBIAN_FASHION_MNIST_DIR,
  type FashionMnistClassName,
  type FashionMnistClasses,
  type FashionMnistOptions,
  type FashionMnistSource,
} from './images/fashion-mnist';
export { ImageDataset, type ImageDatasetOptions, type ImageSplit } from './images/image-dataset';
export { ImageSampler, type ImageSamplerOptions, type ImageSamplerState } from './images/image-sampler';
export { parseSourceSpec, openImageSource, SOURCE_SPEC_FORMS, CELEBA_ATTRIBUTE_FILE, type SourceSpec } from './images/source-spec';
export type { ImageSource, ResizeMode } from './images/image-source';
export { openIganHdf5 } from './images/igan-hdf5';
export { openImageFolder, listImageFiles, type ImageFolderOptions, type ImageFolderSource } from './images/image-folder';
export { openCelebA, type CelebAGender } from './images/celeba';
export { decodeImageFile, readImageSize, type DecodedImage } from './images/decode-image';
export { resizeImages } from './images/resize';
