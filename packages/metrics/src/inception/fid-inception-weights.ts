// pytorch-fid's FID Inception from a weight file's bytes (.pth in either torch.save format, or .safetensors with the
// same keys), and where that file is published. Files and the cache are in load-fid-inception.ts (@not/metrics/node).
import { readWeightFile } from '../weights/read-weight-file';
import { FidInceptionV3, type FidInceptionOptions } from './fid-inception-v3';

/** The file pytorch-fid downloads (weights ported from TensorFlow's 2015-12-05 Inception). */
export const FID_WEIGHTS_URL = 'https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth';
/** The name of {@link FID_WEIGHTS_URL}'s file, as pytorch-fid and PyTorch hub cache it; its hex part is a SHA-256 prefix. */
export const FID_WEIGHTS_FILE = 'pt_inception-2015-12-05-6726825d.pth';

/**
 * Builds the FID Inception from a weight file's bytes: a PyTorch checkpoint (zip or legacy format, as the released
 * pt_inception-2015-12-05-6726825d.pth) or safetensors, with pytorch-fid's state-dict keys. Throws naming what is
 * wrong (unreadable file, first missing key, wrong shape).
 */
export function fidInceptionFromBytes(bytes: Uint8Array, options: FidInceptionOptions = {}): FidInceptionV3 {
  const tensors = readWeightFile(bytes);
  return FidInceptionV3.fromWeights(tensors, options);
}
