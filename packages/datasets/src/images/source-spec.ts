import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openCelebA } from './celeba';
import { openFashionMnist } from './fashion-mnist';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_SHOES, type FashionMnistClasses, type FashionMnistClassName } from './fashion-mnist-classes';
import { openIganHdf5 } from './igan-hdf5';
import { openImageFolder } from './image-folder';
import type { ImageSource } from './image-source';

/** An image source named on the command line, parsed by {@link parseSourceSpec}. */
export type SourceSpec =
  | {
      /** Fashion-MNIST, embedded or from IDX files. */
      kind: 'fashion-mnist';
      /** The classes to keep. */
      classes: FashionMnistClasses;
      /** Directory of the IDX files; absent for the subset embedded in the package. */
      path?: string;
    }
  | {
      /** An iGAN HDF5 file. */
      kind: 'igan';
      /** The HDF5 file. */
      path: string;
    }
  | {
      /** A directory of images. */
      kind: 'folder';
      /** The directory, walked as torchvision's `ImageFolder` walks it. */
      path: string;
    }
  | {
      /** CelebA faces of one gender. */
      kind: 'celeba';
      /** The image directory, e.g. `img_align_celeba/`. */
      path: string;
      /** Which faces to keep, by the "Male" attribute. */
      gender: 'male' | 'female';
      /** CelebA's attribute file; absent to look for {@link CELEBA_ATTRIBUTE_FILE} in and next to `path`. */
      attributeFile?: string;
    };

/** The accepted spellings, as error messages and help texts list them. */
export const SOURCE_SPEC_FORMS: readonly string[] = [
  'fashion-mnist:bag',
  'fashion-mnist:shoes',
  'fashion-mnist:<class>[,<class>…]',
  'fashion-mnist:<classes>:<idx-dir>',
  'igan:<file.hdf5>',
  'folder:<dir>',
  'celeba:<dir>:male|female[:<attr-file>]',
];

/** The name of CelebA's attribute file, looked for in and next to the image directory when a spec gives none. */
export const CELEBA_ATTRIBUTE_FILE = 'list_attr_celeba.txt';

/**
 * Parses a source spec (the part of a CLI argument that names a data set). Pure: touches no file.
 *
 * - `fashion-mnist:bag`, `fashion-mnist:shoes`, `fashion-mnist:<class>` — the embedded Fashion-MNIST subset;
 *   `fashion-mnist:<class>,<class>,…` (class names, `shoes`, or class numbers 0..9) — several classes;
 *   `fashion-mnist:<classes>:<dir>` — the full IDX files in `<dir>`.
 * - `igan:<file.hdf5>` — an iGAN HDF5 file.
 * - `folder:<dir>` — a directory of images.
 * - `celeba:<dir>:male|female[:<attr-file>]` — CelebA images of one gender.
 *
 * Paths run to the end of the spec (or, for CelebA, up to the `:male` / `:female` part), so they may hold colons.
 */
export function parseSourceSpec(spec: string): SourceSpec {
  const fn = 'parseSourceSpec';
  if (typeof spec !== 'string') throw new Error(`${fn}: spec must be a string, got ${typeof spec}`);
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  const fail = (what: string): never => {
    throw new Error(`${fn}: ${what}, got ${JSON.stringify(spec)}; accepted forms: ${SOURCE_SPEC_FORMS.join(', ')}`);
  };
  switch (kind) {
    case 'fashion-mnist': {
      if (colon < 0 || rest === '') fail(`fashion-mnist needs classes (fashion-mnist:bag, fashion-mnist:shoes, …)`);
      const second = rest.indexOf(':');
      const classText = second < 0 ? rest : rest.slice(0, second);
      const path = second < 0 ? undefined : rest.slice(second + 1);
      if (path === '') fail('fashion-mnist:<classes>: needs a directory after the second colon');
      const classes = parseClasses(classText, fail);
      return path === undefined ? { kind, classes } : { kind, classes, path };
    }
    case 'igan':
    case 'folder': {
      if (rest === '') fail(`${kind} needs a path (${kind === 'igan' ? 'igan:<file.hdf5>' : 'folder:<dir>'})`);
      return { kind, path: rest };
    }
    case 'celeba': {
      const parts = rest.split(':');
      const g = parts.findIndex((p, i) => i >= 1 && (p === 'male' || p === 'female'));
      if (rest === '' || g < 1) fail('celeba needs a directory and a gender (celeba:<dir>:male or celeba:<dir>:female)');
      const path = parts.slice(0, g).join(':');
      if (path === '') fail('celeba needs a directory before the gender');
      const gender = parts[g] as 'male' | 'female';
      const attributeFile = parts.slice(g + 1).join(':');
      if (g + 1 < parts.length && attributeFile === '') fail('celeba:<dir>:<gender>: needs an attribute file after the last colon');
      return attributeFile === '' ? { kind, path, gender } : { kind, path, gender, attributeFile };
    }
    default:
      return fail(`unknown source kind ${JSON.stringify(kind)}`);
  }
}

function parseClasses(text: string, fail: (what: string) => never): FashionMnistClasses {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 1 && (items[0] === 'shoes' || (FASHION_MNIST_CLASSES as readonly string[]).includes(items[0]))) {
    return items[0] as FashionMnistClassName | 'shoes';
  }
  const ids: number[] = [];
  for (const item of items) {
    if (item === 'shoes') ids.push(...FASHION_MNIST_SHOES);
    else if (/^[0-9]$/.test(item)) ids.push(Number(item));
    else {
      const id = (FASHION_MNIST_CLASSES as readonly string[]).indexOf(item);
      if (id < 0) {
        fail(`fashion-mnist: unknown class ${JSON.stringify(item)} (expected shoes, ${FASHION_MNIST_CLASSES.join(', ')} or 0..9)`);
      }
      ids.push(id);
    }
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * Opens the image source a spec names (see {@link parseSourceSpec}). For CelebA without an attribute file, uses
 * `list_attr_celeba.txt` inside the image directory, else next to it.
 *
 * @example
 * const source = await openImageSource('fashion-mnist:shoes');
 */
export async function openImageSource(spec: string): Promise<ImageSource> {
  const parsed = parseSourceSpec(spec);
  switch (parsed.kind) {
    case 'fashion-mnist':
      return openFashionMnist({ classes: parsed.classes, path: parsed.path });
    case 'igan':
      return openIganHdf5(parsed.path);
    case 'folder':
      return openImageFolder(parsed.path);
    case 'celeba':
      return openCelebA(parsed.path, parsed.attributeFile ?? findCelebAAttributes(parsed.path), parsed.gender);
  }
}

/** `<dir>/list_attr_celeba.txt`, else `<dir>/../list_attr_celeba.txt`. */
function findCelebAAttributes(dir: string): string {
  const inside = join(dir, CELEBA_ATTRIBUTE_FILE);
  const beside = join(dirname(resolve(dir)), CELEBA_ATTRIBUTE_FILE);
  if (existsSync(inside)) return inside;
  if (existsSync(beside)) return beside;
  throw new Error(
    `openImageSource: celeba: expected an attribute file at ${inside} or ${beside}, found neither; ` +
      `name one as celeba:<dir>:<gender>:<attr-file>`,
  );
}
