// LPIPS weights: the trunk from torchvision's ImageNet file and the lin layers from lpips' v0.1 file (both PyTorch
// checkpoints, read without Python), or one .safetensors / .pth holding both sets of keys; where they are published,
// and the metric from their bytes. Local files, the cache and downloads are in load-lpips.ts (@not/metrics/node).
import { readWeightFile } from '../weights/read-weight-file';
import { checkLpipsNet, type LpipsNet } from './lpips-architecture';
import { Lpips, type LpipsOptions } from './lpips';
import type { LpipsWeights } from './lpips-weights';
import { VGG16_WEIGHTS } from '../vgg16/vgg16-features';

/** torchvision's ImageNet weights, which lpips' trunks load (`tv.alexnet(pretrained=True)`, `tv.vgg16(...)`). */
export const LPIPS_TRUNK_FILES: Record<
  LpipsNet,
  {
    /** Where torchvision downloads the file. */
    url: string;
    /** The file's name in the cache folders; its hex part is a SHA-256 prefix the download is checked against. */
    file: string;
  }
> = {
  alex: { url: 'https://download.pytorch.org/models/alexnet-owt-7be5be79.pth', file: 'alexnet-owt-7be5be79.pth' },
  vgg: VGG16_WEIGHTS,
};

const LPIPS_COMMIT = '082bb24f84c091ea94de2867d34c4544f68e0963';

/** lpips' v0.1 lin weights (lpips/weights/v0.1/<net>.pth of lpips 0.1.4), cached under `file`. */
export const LPIPS_LIN_FILES: Record<
  LpipsNet,
  {
    /** The file in lpips' repository, pinned to a commit. */
    url: string;
    /** The file's name in our cache folder. */
    file: string;
    /** The full SHA-256 of the file in hex; a download must match it. */
    sha256: string;
  }
> = {
  alex: {
    url: `https://raw.githubusercontent.com/richzhang/PerceptualSimilarity/${LPIPS_COMMIT}/lpips/weights/v0.1/alex.pth`,
    file: 'lpips-v0.1-alex.pth',
    sha256: 'df73285e35b22355a2df87cdb6b70b343713b667eddbda73e1977e0c860835c0',
  },
  vgg: {
    url: `https://raw.githubusercontent.com/richzhang/PerceptualSimilarity/${LPIPS_COMMIT}/lpips/weights/v0.1/vgg.pth`,
    file: 'lpips-v0.1-vgg.pth',
    sha256: 'a78928a0af1e5f0fcb1f3b9e8f8c3a2a5a3de244d830ad5c1feddc79b8432868',
  },
};

/**
 * The tensors of one or more weight files (PyTorch checkpoints in either torch.save format, or safetensors), merged
 * by key; a key in two files is an error. `labels` name the files in errors (default "file i of n").
 */
export function readLpipsWeightFiles(files: Uint8Array | readonly Uint8Array[], { fn = 'readLpipsWeightFiles', labels }: { fn?: string; labels?: string[] } = {}): LpipsWeights {
  const list = files instanceof Uint8Array ? [files] : files;
  if (!Array.isArray(list) || list.length === 0 || !list.every((f) => f instanceof Uint8Array)) {
    throw new Error(`${fn}: files must be a Uint8Array or a non-empty array of them, got ${String(files)}`);
  }
  const label = (i: number) => labels?.[i] ?? (list.length > 1 ? `file ${i + 1} of ${list.length}` : 'the file');
  const merged: LpipsWeights = {};
  const origin: Record<string, number> = {};
  list.forEach((bytes, i) => {
    let tensors: LpipsWeights;
    try {
      tensors = readWeightFile(bytes);
    } catch (error) {
      throw new Error(`${fn}: ${label(i)}: ${(error as Error).message}`);
    }
    for (const [key, value] of Object.entries(tensors)) {
      if (key in merged) throw new Error(`${fn}: ${label(i)} repeats the key "${key}" of ${label(origin[key])}`);
      merged[key] = value;
      origin[key] = i;
    }
  });
  return merged;
}

/**
 * The metric from weight files' bytes: torchvision's trunk file and lpips' lin file (in either order), or one file
 * with both sets of keys. Throws naming what is wrong (unreadable file, first missing key, wrong shape).
 */
export function lpipsFromBytes(net: LpipsNet, files: Uint8Array | readonly Uint8Array[], options: LpipsOptions = {}): Lpips {
  checkLpipsNet('lpipsFromBytes', net);
  return Lpips.fromWeights(net, readLpipsWeightFiles(files, { fn: 'lpipsFromBytes' }), options);
}
