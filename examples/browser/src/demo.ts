import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import { pushForward } from '@not/ot-core';
import type { UNetMap } from '@not/nets';
import { type MapConfig, loadMap } from './load-map';
import { imageToPixels, pixelsToImage } from './pixels';

// The page: pick a map (T.safetensors of a `not train` run) and images, or give them as ?map=URL&images=URL,URL;
// each image is resized to the map's size, translated on the GPU (webgl; cpu where there is none) and shown beside
// its translation. What it did is also written on <html> (data-status, data-backend) and in #results (for checks).

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const html = document.documentElement;
let loaded: { config: MapConfig; map: UNetMap } | null = null;

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

function useMap(bytes: Uint8Array, name: string): void {
  loaded?.map.dispose();
  loaded = loadMap(bytes);
  const c = loaded.config;
  $('map').textContent = `${name}: ${c.size}×${c.size}×${c.channels}, ${c.cost} cost${c.source ? `, ${c.source} → ${c.target}` : ''}`;
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
  const { config, map } = loaded;
  say(`Translating ${images.length} image${images.length === 1 ? '' : 's'}…`, 'working');
  const rows = $('rows');
  rows.replaceChildren();
  const results: { name: string; output: number[] }[] = [];
  for (const [i, image] of images.entries()) {
    const input = await pixelsOf(image.blob, config.size);
    // The image as the map sees it (resized, luma for a grayscale map), shown beside its translation.
    const [seen, output] = tf.tidy(() => {
      const x = pixelsToImage(input, config.size, config.channels);
      return [x.dataSync(), pushForward(map, x, { noiseStd: config.noiseStd, seed: i }).dataSync()];
    });
    results.push({ name: image.name, output: Array.from(output) });
    const row = document.createElement('div');
    row.className = 'row';
    row.append(canvasOf(imageToPixels(seen, config.size, config.channels), config.size, image.name), canvasOf(imageToPixels(output, config.size, config.channels), config.size, 'T(x)'));
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
    if (file) useMap(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  $<HTMLInputElement>('image-files').addEventListener('change', async (event) => {
    const files = [...((event.target as HTMLInputElement).files ?? [])];
    await translate(files.map((file) => ({ name: file.name, blob: file })));
  });
  const query = new URLSearchParams(location.search);
  const mapUrl = query.get('map');
  if (mapUrl) useMap(new Uint8Array(await (await fetchBytes(mapUrl)).arrayBuffer()), mapUrl);
  const imageUrls = query.get('images')?.split(',').filter(Boolean) ?? [];
  if (imageUrls.length) await translate(await Promise.all(imageUrls.map(async (url) => ({ name: url, blob: await fetchBytes(url) }))));
  else say(loaded ? 'Choose images to translate.' : 'Choose a map (T.safetensors of a not train run), then images.', 'waiting');
}

main().catch((error: unknown) => say(`Error: ${error instanceof Error ? error.message : String(error)}`, 'error'));
