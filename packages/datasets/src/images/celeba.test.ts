import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { openCelebA } from './celeba';

// The 40 attribute names of CelebA's list_attr_celeba.txt, "Male" being the 21st.
const NAMES =
  '5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair Blond_Hair ' +
  'Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup High_Cheekbones Male ' +
  'Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks ' +
  'Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace ' +
  'Wearing_Necktie Young';

const scratch = mkdtempSync(join(tmpdir(), 'celeba-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let cases = 0;

/**
 * A CelebA-like folder: images 000001.jpg … (grey level = 40·k, nested one folder deep as Kaggle's copy is) and an
 * attribute file in CelebA's spacing ("000001.jpg -1  1 …"), with the given Male values.
 */
function celeba(male: number[], options: { names?: string; skipImage?: number; order?: number[] } = {}) {
  const dir = join(scratch, `c${cases++}`);
  mkdirSync(join(dir, 'img_align_celeba'), { recursive: true });
  const names = (options.names ?? NAMES).split(' ');
  const order = options.order ?? male.map((_, i) => i);
  const lines = [String(male.length), `${names.join(' ')} `];
  for (const i of order) {
    const file = `${String(i + 1).padStart(6, '0')}.jpg`;
    const values = names.map((name, k) => (name === 'Male' ? male[i] : k % 3 === 0 ? 1 : -1));
    lines.push(`${file} ${values.map((v) => (v === 1 ? ' 1' : '-1')).join(' ')}`);
    if (i !== options.skipImage) {
      const data = Buffer.alloc(4 * 3 * 4, 40 * (i + 1));
      writeFileSync(join(dir, 'img_align_celeba', file), encodeJpeg({ width: 4, height: 3, data }, 95).data);
    }
  }
  const attributes = join(dir, 'list_attr_celeba.txt');
  writeFileSync(attributes, `${lines.join('\r\n')}\r\n`);
  return { dir, attributes };
}

/** The grey level of each image read from the source (all pixels of an image share it, give or take JPEG). */
function greys(source: { count: number; read(i: readonly number[]): Uint8Array }): number[] {
  const out = source.read(Array.from({ length: source.count }, (_, i) => i));
  const per = out.length / source.count;
  return Array.from({ length: source.count }, (_, i) => Math.round(out[i * per] / 40) * 40);
}

describe('openCelebA', () => {
  it('keeps the faces of one gender, by the "Male" column, in attribute-file order', async () => {
    const { dir, attributes } = celeba([1, -1, -1, 1, -1]);
    const female = await openCelebA(dir, attributes, 'female');
    expect(female.files).toEqual(['img_align_celeba/000002.jpg', 'img_align_celeba/000003.jpg', 'img_align_celeba/000005.jpg']);
    expect([female.count, female.width, female.height, female.channels, female.resize]).toEqual([3, 4, 3, 3, 'pil-bilinear']);
    expect(greys(female)).toEqual([80, 120, 200]);
    expect(female.name).toMatch(/^celeba-female:/);
    const male = await openCelebA(dir, attributes, 'male');
    expect(greys(male)).toEqual([40, 160]);
  });

  it('follows the attribute file order and finds "Male" by name, wherever the column is', async () => {
    const names = NAMES.split(' ');
    const moved = ['Male', ...names.filter((n) => n !== 'Male')].join(' ');
    const { dir, attributes } = celeba([-1, 1, -1, -1], { names: moved, order: [3, 0, 2, 1] });
    const female = await openCelebA(dir, attributes, 'female');
    expect(female.files).toEqual(['img_align_celeba/000004.jpg', 'img_align_celeba/000001.jpg', 'img_align_celeba/000003.jpg']);
  });

  it('gives clear errors for a missing file, a missing column and missing images', async () => {
    const { dir, attributes } = celeba([1, -1]);
    await expect(openCelebA(dir, join(dir, 'nope.txt'), 'male')).rejects.toThrow(
      /openCelebA: attribute file .*nope\.txt does not exist \(expected CelebA's list_attr_celeba\.txt\)/,
    );
    await expect(openCelebA(join(dir, 'absent'), attributes, 'male')).rejects.toThrow(
      /openCelebA: image folder .*absent does not exist/,
    );
    await expect(openCelebA(dir, attributes, 'other' as never)).rejects.toThrow(
      `openCelebA: gender must be 'male' or 'female', got "other"`,
    );

    const noMale = celeba([1, -1], { names: NAMES.replace('Male ', 'Masculine ') });
    await expect(openCelebA(noMale.dir, noMale.attributes, 'male')).rejects.toThrow(
      /openCelebA: .*list_attr_celeba\.txt has no "Male" attribute on line 2; its attributes are: 5_o_Clock_Shadow, /,
    );

    const gap = celeba([1, -1, 1], { skipImage: 1 });
    await expect(openCelebA(gap.dir, gap.attributes, 'male')).rejects.toThrow(
      /openCelebA: 1 of the 3 images listed in .*list_attr_celeba\.txt are not in .* \(searched recursively\), e\.g\. 000002\.jpg/,
    );
  });

  it('refuses malformed attribute files, naming the line', async () => {
    const { dir, attributes } = celeba([1, -1]);
    const write = (text: string): string => {
      const file = join(dir, `attr${cases++}.txt`);
      writeFileSync(file, text);
      return file;
    };
    const row = (file: string, male: string): string =>
      `${file} ${NAMES.split(' ').map((n) => (n === 'Male' ? male : '-1')).join(' ')}`;
    await expect(openCelebA(dir, write('hello\n'), 'male')).rejects.toThrow(/is not a CelebA attribute file/);
    await expect(openCelebA(dir, write(`3\n${NAMES}\n${row('000001.jpg', '1')}\n`), 'male')).rejects.toThrow(
      /says it lists 3 images \(line 1\) but has 1 image lines/,
    );
    await expect(openCelebA(dir, write(`1\n${NAMES}\n000001.jpg 1 -1\n`), 'male')).rejects.toThrow(
      /line 3: expected a file name and 40 values, got 3 fields/,
    );
    await expect(openCelebA(dir, write(`1\n${NAMES}\n${row('000001.jpg', '0')}\n`), 'male')).rejects.toThrow(
      /line 3: the "Male" value must be 1 or -1, got "0"/,
    );
    expect((await openCelebA(dir, attributes, 'female')).count).toBe(1);
  });
});
