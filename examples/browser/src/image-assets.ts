import type { ImageSource, ResizeMode } from '@not/datasets';

/** build.mjs's data/images.json: each data spec the page may train on, as a file of its images as stored. */
export interface ImageAssetManifest {
  [spec: string]: { file: string; count: number; height: number; width: number; channels: number; resize: ResizeMode };
}

/** Where build.mjs puts the data beside the page. */
export const IMAGE_ASSETS = 'data/images.json';

/**
 * An ImageSource for a data spec that build.mjs wrote beside the page (`fashion-mnist:bag`, `fashion-mnist:shoes`:
 * the subset embedded in @not/datasets, read there by the same code as `not train`): its images, uint8 NHWC, gzipped,
 * unpacked by the browser. Same images in the same order as `openImageSource(spec)` of @not/datasets/node, so the
 * same splits.
 */
export async function fetchImageSource(spec: string, base: string | URL = location.href): Promise<ImageSource> {
  const fn = 'fetchImageSource';
  const manifest = (await (await fetchOk(new URL(IMAGE_ASSETS, base), fn)).json()) as ImageAssetManifest;
  const entry = manifest[spec];
  if (!entry) throw new Error(`${fn}: spec must be one of ${Object.keys(manifest).join(', ')} (what the page was built with), got ${JSON.stringify(spec)}`);
  const packed = await fetchOk(new URL(entry.file, new URL(IMAGE_ASSETS, base)), fn);
  let store: Uint8Array | null = new Uint8Array(await new Response(packed.body!.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  const { count, height, width, channels, resize } = entry;
  const pixels = height * width * channels;
  if (store.length !== count * pixels) throw new Error(`${fn}: ${entry.file} holds ${store.length} bytes, expected ${count} images of ${height}×${width}×${channels} (${count * pixels}); rebuild the page`);
  return {
    name: spec,
    count,
    height,
    width,
    channels,
    resize,
    read(indices: readonly number[]): Uint8Array {
      if (store === null) throw new Error(`${spec}: read after close`);
      const out = new Uint8Array(indices.length * pixels);
      indices.forEach((i, j) => {
        if (!(Number.isInteger(i) && i >= 0 && i < count)) throw new Error(`${spec}: read: index must be an integer in [0, ${count}), got ${i} at position ${j}`);
        out.set(store!.subarray(i * pixels, (i + 1) * pixels), j * pixels);
      });
      return out;
    },
    close(): void {
      store = null;
    },
  };
}

async function fetchOk(url: URL, fn: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${fn}: ${url}: HTTP ${response.status}`);
  return response;
}
