import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import { pushForward } from '@not/ot-core';
import { type LoadedTransportMap, loadTransportMap } from '@not/stacking';
import { imageToPixels, pixelsToImage } from './pixels';

// The page: pick a map (a map file of @not/stacking: a `not train` run's T.safetensors, a `not stack` run's
// stack.safetensors) and images, or give them as ?map=URL&images=URL,URL;
// each image is resized to the map's size, translated on the GPU (webgl; cpu where there is none) and shown beside
// its translation. What it did is also written on <html> (data-status, data-backend) and in #results (for checks).

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const html = document.documentElement;
let loaded: (LoadedTransportMap & { channels: 1 | 3 }) | null = null;

function say(text: string, status: string): void {
  $('status').textContent = text;
  html.dataset.status = status;
}

async function useGpu(): Promise<void> {
  for (const name of ['webgl', 'cpu']) {
    try {
      if (await tf.setBackend(name)) break;
    } catch {
      // try the next one
    }
  }
  html.dataset.backend = tf.getBackend();
  $('backend').textContent = tf.getBackend() === 'webgl' ? 'webgl (GPU)' : `${tf.getBackend()} (no WebGL here)`;
}

async function useMap(bytes: Uint8Array, name: string): Promise<void> {
  loaded?.map.dispose();
  loaded = null;
  const next = await loadTransportMap({ bytes });
  if (next.channels !== 1 && next.channels !== 3) {
    next.map.dispose();
    throw new Error(`${name} maps ${next.channels}-channel images; this page shows 1 (grayscale) or 3 (RGB)`);
  }
  loaded = { ...next, channels: next.channels };
  const { size, channels, stages, map, config } = loaded;
  const kind = `${stages.length > 1 ? `a stack of ${stages.length} maps` : 'one map'}, ${map.noiseShape(1) ? 'stochastic' : 'deterministic'}`;
  const trained = config && typeof config.source === 'string' ? `, ${config.source} → ${String(config.target)}` : '';
  $('map').textContent = `${name}: ${size}×${size}×${channels}, ${kind}${trained}`;
}

/** Draws an image file at the map's size and returns its RGBA bytes. */
async function pixelsOf(blob: Blob, size: number): Promise<Uint8ClampedArray> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0, size, size);
  return context.getImageData(0, 0, size, size).data;
}

function canvasOf(rgba: Uint8ClampedArray, size: number, label: string): HTMLElement {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, size, size), 0, 0);
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = label;
  figure.append(canvas, caption);
  return figure;
}

async function translate(images: { name: string; blob: Blob }[]): Promise<void> {
  if (!loaded) return say('Choose a map first.', 'waiting');
  const { size, channels, noise, map } = loaded;
  say(`Translating ${images.length} image${images.length === 1 ? '' : 's'}…`, 'working');
  const rows = $('rows');
  rows.replaceChildren();
  const results: { name: string; output: number[] }[] = [];
  for (const [i, image] of images.entries()) {
    const input = await pixelsOf(image.blob, size);
    // The image as the map sees it (resized, luma for a grayscale map), shown beside its translation.
    const [seen, output] = tf.tidy(() => {
      const x = pixelsToImage(input, size, channels);
      // Seeds from 1: tfjs draws unseeded noise for seed 0.
      return [x.dataSync(), pushForward(map, x, { std: noise.std, seed: i + 1 }).dataSync()];
    });
    results.push({ name: image.name, output: Array.from(output) });
    const row = document.createElement('div');
    row.className = 'row';
    row.append(canvasOf(imageToPixels(seen, size, channels), size, image.name), canvasOf(imageToPixels(output, size, channels), size, 'T(x)'));
    rows.append(row);
  }
  $('results').textContent = JSON.stringify(results);
  say(`Translated ${images.length} image${images.length === 1 ? '' : 's'} on ${tf.getBackend()}.`, 'done');
}

async function fetchBytes(url: string): Promise<Blob> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.blob();
}

async function main(): Promise<void> {
  await useGpu();
  $<HTMLInputElement>('map-file').addEventListener('change', async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) await useMap(new Uint8Array(await file.arrayBuffer()), file.name).catch((error: unknown) => say(`Error: ${error instanceof Error ? error.message : String(error)}`, 'error'));
  });
  $<HTMLInputElement>('image-files').addEventListener('change', async (event) => {
    const files = [...((event.target as HTMLInputElement).files ?? [])];
    await translate(files.map((file) => ({ name: file.name, blob: file })));
  });
  const query = new URLSearchParams(location.search);
  const mapUrl = query.get('map');
  if (mapUrl) await useMap(new Uint8Array(await (await fetchBytes(mapUrl)).arrayBuffer()), mapUrl);
  const imageUrls = query.get('images')?.split(',').filter(Boolean) ?? [];
  if (imageUrls.length) await translate(await Promise.all(imageUrls.map(async (url) => ({ name: url, blob: await fetchBytes(url) }))));
  else say(loaded ? 'Choose images to translate.' : 'Choose a map (T.safetensors of a not train run, stack.safetensors of a not stack run), then images.', 'waiting');
}

main().catch((error: unknown) => say(`Error: ${error instanceof Error ? error.message : String(error)}`, 'error'));
