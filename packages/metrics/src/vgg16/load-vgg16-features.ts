// VGG16 features from a local file, the cache folders or a download. Node only (@not/metrics/node); in a browser,
// fetch the file and use Vgg16Features.fromWeights.
import { readWeightFile } from '../weights/read-weight-file';
import { defaultCacheDir, findOrDownload, givenFile, torchHubCheckpoints } from '../weights/weight-file-cache';
import { VGG16_WEIGHTS, Vgg16Features, type Vgg16FeaturesOptions } from './vgg16-features';

/** Options of {@link loadVgg16Features}: where the weight file is, whether it may be downloaded, and the layers. */
export interface LoadVgg16Options extends Vgg16FeaturesOptions {
  /** A local weight file (.pth or .safetensors with torchvision's `features.*` keys); when given, nothing else is tried. */
  path?: string;
  /** Where downloads are kept and looked for (default $NOT_CACHE_DIR, else $XDG_CACHE_HOME/not, else ~/.cache/not); PyTorch hub's folder is searched too. */
  cacheDir?: string;
  /** Whether a missing file may be downloaded (528 MB). Default true. */
  download?: boolean;
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

/**
 * VGG16 features from a local file, the cache folders, or a download of torchvision's file (checked against the
 * SHA-256 prefix in its name). Without the file and without internet, the error says where to get it. Node only.
 */
export async function loadVgg16Features(options: LoadVgg16Options = {}): Promise<Vgg16Features> {
  const fn = 'loadVgg16Features';
  const path =
    (await givenFile(fn, 'path', options.path)) ??
    (await findOrDownload({
      fn,
      name: VGG16_WEIGHTS.file,
      url: VGG16_WEIGHTS.url,
      cacheDir: options.cacheDir ?? (await defaultCacheDir()),
      otherDirs: [await torchHubCheckpoints()],
      download: options.download ?? true,
      fetch: options.fetch ?? globalThis.fetch,
      pathOption: 'path',
    }));
  const { readFile } = await import('node:fs/promises');
  try {
    return Vgg16Features.fromWeights(readWeightFile(new Uint8Array(await readFile(path))), options);
  } catch (error) {
    throw new Error(`${fn}: "${path}": ${(error as Error).message}`);
  }
}
