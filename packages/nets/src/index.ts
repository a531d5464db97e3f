export { Mlp, type MlpOptions } from './mlp';
export { MlpMap, type MlpMapOptions } from './mlp-map';
export { MlpPotential, type MlpPotentialOptions } from './mlp-potential';
export { type Activation, activate } from './activation';
export { type WeightInit, initLinear } from './init';
export { sigmaEmbedding } from './sigma-embedding';
export { UNet, type UNetOptions } from './unet';
export { UNetMap, type UNetMapOptions } from './unet-map';
export { ResNetPotential, type ResNetPotentialOptions } from './resnet-potential';
export { Conv2d, type Conv2dOptions, type ConvInit } from './conv2d';
export { BatchNorm2d, type BatchNorm2dOptions } from './batch-norm-2d';
export { BATCH_NORM_TRAINING_GRAD_KERNEL, BATCH_NORM_TRAINING_KERNEL, batchNormTraining, type BatchNormed } from './batch-norm-train';
export { residualLeakyRelu } from './residual-leaky-relu';
export { maxPool2d, avgPool3x3s2 } from './pooling';
export { upsampleBilinear2x } from './upsample';
export { checkpointed } from './activation-checkpoint';
export type {
  SafetensorsDtype,
  SafetensorsWriteDtype,
  SafetensorsData,
  SafetensorsInput,
  SafetensorsTensor,
  DecodedSafetensors,
} from './safetensors-format';
export { encodeSafetensors } from './safetensors-encode';
export { decodeSafetensors } from './safetensors-decode';
export { encodeStateDict, saveStateDict, loadStateDictFile, stateDictFromTensors, loadSafetensorsInto } from './state-dict-file';
export { float16BitsToFloat32, float32ToFloat16Bits } from './float16';
export { parameterSummary, type ParameterSummary, type LayerSummary, type ParameterEntry } from './summary';
export { readTorchCheckpoint, loadTorchStateDict, stateDictFromTorchTensors, type TorchTensor, type TorchDtype } from './torch-checkpoint';
