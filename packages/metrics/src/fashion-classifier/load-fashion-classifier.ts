// The Fashion-MNIST classifier from a safetensors file, by default the weights shipped in @not/metrics' data/ folder.
// Node only (@not/metrics/node); in a browser, fetch the file and use FashionClassifier.fromBytes.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_CLASSIFIER_WEIGHTS_FILE, FashionClassifier, checkBatchSize, describe, type FashionClassifierOptions } from './fashion-classifier';

/** Where {@link loadFashionClassifier} takes the weights from: a safetensors file, its bytes, or (neither) the shipped file. */
export type FashionClassifierSource =
  | {
      /** A safetensors file: its path or file: URL. */
      path?: string | URL;
      /** Not with `path`. */
      bytes?: undefined;
    }
  | {
      /** The bytes of a safetensors file. */
      bytes: Uint8Array;
      /** Not with `bytes`. */
      path?: undefined;
    };

/**
 * The classifier from safetensors weights: `path` (a file path or file: URL), `bytes`, or, with neither, the weights
 * shipped in @not/metrics' `data/` folder. Node only (files are read with node:fs); in a browser, fetch the file and
 * use FashionClassifier.fromBytes.
 */
export async function loadFashionClassifier(options: FashionClassifierSource & FashionClassifierOptions = {}): Promise<FashionClassifier> {
  const fn = 'loadFashionClassifier';
  const batchSize = checkBatchSize(fn, options);
  if (options.bytes !== undefined) {
    if (!(options.bytes instanceof Uint8Array)) throw new Error(`${fn}: bytes must be a Uint8Array of a safetensors file, got ${describe(options.bytes)}`);
    return FashionClassifier.fromBytes(options.bytes, { batchSize }, 'the given bytes');
  }
  const { path } = options;
  let file: string;
  let shipped = false;
  if (path === undefined) {
    file = await fashionClassifierWeightsPath();
    shipped = true;
  } else if (path instanceof URL) {
    file = fileURLToPath(path);
  } else if (typeof path === 'string' && path !== '') {
    file = path;
  } else {
    throw new Error(`${fn}: path must be a file path or a file: URL of a safetensors file, got ${describe(path)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'a directory, not a file' : (error as Error).message;
    const hint = shipped
      ? ` (the weights shipped with @not/metrics are missing: its package must include "data"; scripts/train-fashion-classifier.py makes them)`
      : ' (expected a safetensors file written by scripts/train-fashion-classifier.py)';
    throw new Error(`${fn}: weights file ${file}: ${why}${hint}`);
  }
  return FashionClassifier.fromBytes(bytes, { batchSize }, file);
}

/**
 * Where the shipped weights are: `data/fashion-classifier.safetensors` in the @not/metrics package, found by walking
 * up from this module to the package.json named @not/metrics (src/fashion-classifier/ from source, dist/ from the
 * bundle), as @not/datasets finds its embedded data. Node only.
 */
export async function fashionClassifierWeightsPath(): Promise<string> {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      if (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).name === '@not/metrics') {
        return join(dir, 'data', FASHION_CLASSIFIER_WEIGHTS_FILE);
      }
    } catch {
      // No (readable) package.json here: keep walking.
    }
    if (dirname(dir) === dir) {
      throw new Error(`fashionClassifierWeightsPath: expected a package.json named @not/metrics above ${start}, found none (shipped weights not found)`);
    }
  }
}
