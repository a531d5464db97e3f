import * as tf from '@tensorflow/tfjs-core';
import { joinStateDicts, type Rng } from '@not/ot-core';
import { BatchNorm2d } from './batch-norm-2d';
import { checkpointed } from './activation-checkpoint';
import { Conv2d } from './conv2d';

/**
 * The UNet's DoubleConv: Conv2d(in→mid, 3×3, pad 1) → BatchNorm2d → ReLU → Conv2d(mid→out, 3×3, pad 1) →
 * BatchNorm2d → ReLU, named like its PyTorch nn.Sequential `double_conv.{0,1,3,4}.*`.
 */
export class DoubleConv {
  private readonly conv0: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv3: Conv2d;
  private readonly bn4: BatchNorm2d;
  readonly state: Readonly<Record<string, tf.Variable>>;

  constructor(inChannels: number, outChannels: number, midChannels: number, rng: Rng) {
    this.conv0 = new Conv2d({ inChannels, outChannels: midChannels, kernelSize: 3, padding: 1, rng });
    this.bn1 = new BatchNorm2d(midChannels);
    this.conv3 = new Conv2d({ inChannels: midChannels, outChannels, kernelSize: 3, padding: 1, rng });
    this.bn4 = new BatchNorm2d(outChannels);
    this.state = joinStateDicts([
      ['double_conv.0', this.conv0.state],
      ['double_conv.1', this.bn1.state],
      ['double_conv.3', this.conv3.state],
      ['double_conv.4', this.bn4.state],
    ]);
  }

  /** `recompute` (in training mode) keeps only x and the output for the gradient (see checkpointed). */
  apply(x: tf.Tensor, training: boolean, recompute = false): tf.Tensor4D {
    const layers = (input: tf.Tensor, replay: boolean) =>
      tf.tidy(() => {
        const h = this.bn1.apply(this.conv0.apply(input), training, { record: !replay, relu: true });
        return this.bn4.apply(this.conv3.apply(h), training, { record: !replay, relu: true });
      });
    if (!(recompute && training)) return layers(x, false);
    return checkpointed(layers, Object.values(this.state), x);
  }
}
