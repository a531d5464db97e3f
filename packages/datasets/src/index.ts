// Browser-safe: no file access here. Sources that read files (IDX, Fashion-MNIST, iGAN HDF5, image folders, CelebA,
// source specs) are in ./node.ts, published as @not/datasets/node.
export type { ToySeedOptions } from './toy/seed-source';
export * from './toy/labelled-sampler';
export * from './toy/eight-gaussians';
export * from './toy/swiss-roll';
export * from './toy/moons';
export * from './toy/standard-normal';
export * from './toy/toy-sampler';
export { randomGaussianPair, GaussianSampler, type GaussianPair, type GaussianPairOptions } from './gaussian-pair';
export { readNpy, writeNpy, type NpyArray, type NpyDtype, type NpyWritable } from './formats/npy';
export {
  fashionMnistClassIds,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_SHOES,
  type FashionMnistClassName,
  type FashionMnistClasses,
} from './images/fashion-mnist-classes';
export { IMAGE_SPLITS, ImageDataset, type ImageDatasetOptions, type ImageSplit } from './images/image-dataset';
export { ImageSampler, type ImageSamplerOptions, type ImageSamplerState } from './images/image-sampler';
export type { ImageSource, ResizeMode } from './images/image-source';
export { resizeImages } from './images/resize';
