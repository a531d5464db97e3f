// @not/datasets/node: the sources that read files with Node's fs (and zlib for gzip'd IDX). Everything of the main
// entry works with them: an ImageSource opened here goes into ImageDataset and ImageSampler from '@not/datasets'.
export { parseIdx, readIdx, encodeIdx, isGzip, type IdxArray } from './images/idx';
export {
  openFashionMnist,
  EMBEDDED_FASHION_MNIST_CLASSES,
  DEBIAN_FASHION_MNIST_DIR,
  type FashionMnistOptions,
  type FashionMnistSource,
} from './images/fashion-mnist';
export { parseSourceSpec, openImageSource, SOURCE_SPEC_FORMS, CELEBA_ATTRIBUTE_FILE, type SourceSpec } from './images/source-spec';
export { openIganHdf5 } from './images/igan-hdf5';
export { openImageFolder, listImageFiles, type ImageFolderOptions, type ImageFolderSource } from './images/image-folder';
export { openCelebA, type CelebAGender } from './images/celeba';
export { decodeImageFile, readImageSize, type DecodedImage } from './images/decode-image';
