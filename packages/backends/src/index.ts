export { useBackend, describeBackend, type BackendReport, type SkippedBackend } from './use-backend';
export { BACKEND_REQUESTS, AUTO_ORDER, type BackendRequest, type BackendName } from './backend-names';
export { registerWasmTrainingKernels, type WasmTrainingKernels } from './register-wasm-training';
export { installConv2dGradient } from './conv2d-gradient';
export { installLeakyReluGradient } from './leaky-relu-gradient';
export type { BackendOptions } from './backend-loaders';
export { releaseWebGpu } from './webgpu-loader';
export { adapterLine, type WebGpuAdapterInfo } from './webgpu-adapter';
export { registerWebGpuTrainingKernels } from './register-webgpu-training';
