// Training-mode batch normalisation over NHWC tensors seen as [rows, channels] (rows = N·H·W), on OpenMP threads:
// the pass pair that tfjs would spread over a dozen single-threaded element-wise kernels.
#pragma once
#include <cstdint>

namespace not_onednn {

// mean, variance (biased) per channel; y = (x − mean)/√(variance + eps)·gamma + beta, then max(0, ·) when relu.
void batchNormForward(int64_t rows, int64_t channels, const float *x, const float *gamma, const float *beta, float eps,
                      bool relu, float *y, float *mean, float *variance);

// The gradient of batchNormForward given dy: y is its output (read only when relu, to mask dy where it was cut).
// x̂ = (x − mean)/σ, g = dy masked, dBeta = Σg, dGamma = Σg·x̂, dx = gamma/σ · (g − dBeta/rows − x̂·dGamma/rows).
void batchNormBackward(int64_t rows, int64_t channels, const float *dy, const float *x, const float *y,
                       const float *mean, const float *variance, const float *gamma, float eps, bool relu, float *dx,
                       float *dGamma, float *dBeta);

}  // namespace not_onednn
