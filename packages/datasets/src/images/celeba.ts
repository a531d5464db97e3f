import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { listImageFiles, openImageFolder, type ImageFolderSource } from './image-folder';

/** Which CelebA faces to keep, by the "Male" attribute. */
export type CelebAGender = 'male' | 'female';

/**
 * The CelebA faces of one gender (the reference's `celeba_male` / `celeba_female`): the images of `dir` (searched
 * recursively, e.g. `img_align_celeba/`) whose "Male" attribute in `attributeFile` (`list_attr_celeba.txt`) is 1
 * (male) or -1 (female), **in the attribute file's order**. The reference filters by line number and relies on
 * ImageFolder's sorted order lining up with the file; this matches images by file name instead, which gives the same
 * list when everything is present and an error, not a shifted list, when it is not. The "Male" column is found by
 * name. Images are 178×218 in the aligned set; they are read lazily and resized like an image folder
 * (`'pil-bilinear'`).
 */
export async function openCelebA(dir: string, attributeFile: string, gender: CelebAGender): Promise<ImageFolderSource> {
  if (gender !== 'male' && gender !== 'female') {
    throw new Error(`openCelebA: gender must be 'male' or 'female', got ${JSON.stringify(gender)}`);
  }
  const { files: listed, male } = readMaleAttribute(attributeFile);
  const wanted = gender === 'male' ? 1 : -1;

  // Where each listed image is under dir, by file name.
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`openCelebA: image folder ${dir} does not exist or is not a folder (expected img_align_celeba)`);
  }
  const onDisk = listImageFiles(dir);
  const byName = new Map<string, string>();
  for (const rel of onDisk) {
    const name = basename(rel);
    const earlier = byName.get(name);
    if (earlier !== undefined) {
      throw new Error(`openCelebA: ${dir} holds two images named ${name}: ${earlier} and ${rel}; keep one`);
    }
    byName.set(name, rel);
  }
  const missing = listed.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    throw new Error(
      `openCelebA: ${missing.length} of the ${listed.length} images listed in ${attributeFile} are not in ${dir} ` +
        `(searched recursively), e.g. ${missing[0]}`,
    );
  }
  const files = listed.filter((_, i) => male[i] === wanted).map((name) => byName.get(name)!);
  if (files.length === 0) {
    throw new Error(`openCelebA: ${attributeFile} lists no ${gender} faces (no "Male" value of ${wanted})`);
  }
  return openImageFolder(dir, { files, name: `celeba-${gender}:${resolve(dir)}` });
}

/** The file names of list_attr_celeba.txt and their "Male" values (1 or -1), in file order. */
function readMaleAttribute(attributeFile: string): { files: string[]; male: Int8Array } {
  let text: string;
  try {
    text = readFileSync(attributeFile, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `openCelebA: attribute file ${attributeFile} does not exist (expected CelebA's list_attr_celeba.txt)`
        : `openCelebA: cannot read attribute file ${attributeFile}: ${String(error)}`,
    );
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const where = `openCelebA: ${attributeFile}`;
  const declared = Number(lines[0]?.trim());
  if (lines.length < 2 || !Number.isInteger(declared) || declared < 0) {
    throw new Error(
      `${where} is not a CelebA attribute file: expected the image count on line 1 and the attribute names on ` +
        `line 2, got ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`,
    );
  }
  const names = lines[1].trim().split(/\s+/);
  const column = names.indexOf('Male');
  if (column < 0) {
    throw new Error(`${where} has no "Male" attribute on line 2; its attributes are: ${names.join(', ')}`);
  }
  const rows = lines.length - 2;
  if (rows !== declared) {
    throw new Error(`${where} says it lists ${declared} images (line 1) but has ${rows} image lines`);
  }
  const files: string[] = new Array(rows);
  const male = new Int8Array(rows);
  for (let r = 0; r < rows; r++) {
    const tokens = lines[r + 2].trim().split(/\s+/);
    if (tokens.length !== names.length + 1) {
      throw new Error(
        `${where} line ${r + 3}: expected a file name and ${names.length} values, got ${tokens.length} fields`,
      );
    }
    const value = tokens[column + 1];
    if (value !== '1' && value !== '-1') {
      throw new Error(`${where} line ${r + 3}: the "Male" value must be 1 or -1, got ${JSON.stringify(value)}`);
    }
    files[r] = tokens[0];
    male[r] = value === '1' ? 1 : -1;
  }
  return { files, male };
}
