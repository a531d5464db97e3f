import { imageToPixels } from './pixels';

/**
 * Draws a sample grid as `not train` writes one: a row of inputs x, a row of their translations T(x) and a row of
 * targets y, one image per column, 1 pixel apart. Each row holds `columns` images of size×size×channels values in
 * [-1, 1], NHWC.
 */
export function drawSampleGrid(canvas: HTMLCanvasElement, rows: readonly Float32Array[], columns: number, size: number, channels: 1 | 3): void {
  canvas.width = columns * (size + 1) - 1;
  canvas.height = rows.length * (size + 1) - 1;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  const pixels = size * size * channels;
  rows.forEach((values, r) => {
    for (let c = 0; c < columns; c++) {
      const image = imageToPixels(values.subarray(c * pixels, (c + 1) * pixels), size, channels);
      context.putImageData(new ImageData(image as Uint8ClampedArray<ArrayBuffer>, size, size), c * (size + 1), r * (size + 1));
    }
  });
}
