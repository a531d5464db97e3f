#include "batch-norm.h"

#include <omp.h>

#include <cmath>
#include <vector>

namespace not_onednn {
namespace {

// Per-column sums over the rows, in double: each thread adds a contiguous block of rows into its own partial sums
// (static schedule, so the result is the same on every call with the same threads), then the partials are added.
template <typename AddRow>
std::vector<double> sumRows(int64_t rows, int64_t width, AddRow addRow) {
  const int threads = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(threads * width), 0.0);
#pragma omp parallel num_threads(threads)
  {
    double *acc = partial.data() + omp_get_thread_num() * width;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) addRow(r, acc);
  }
  std::vector<double> total(static_cast<size_t>(width), 0.0);
  for (int t = 0; t < threads; ++t) {
    for (int64_t j = 0; j < width; ++j) total[j] += partial[t * width + j];
  }
  return total;
}

std::vector<float> inverseStd(int64_t channels, const float *variance, float eps) {
  std::vector<float> out(static_cast<size_t>(channels));
  for (int64_t j = 0; j < channels; ++j) out[j] = 1.f / std::sqrt(variance[j] + eps);
  return out;
}

}  // namespace

void batchNormForward(int64_t rows, int64_t channels, const float *x, const float *gamma, const float *beta, float eps,
                      bool relu, float *y, float *mean, float *variance) {
  const int64_t c = channels;
  std::vector<double> mu = sumRows(rows, c, [&](int64_t r, double *acc) {
    const float *xr = x + r * c;
    for (int64_t j = 0; j < c; ++j) acc[j] += xr[j];
  });
  for (int64_t j = 0; j < c; ++j) mu[j] /= static_cast<double>(rows);
  // Two passes (mean, then squared deviations), as tfjs' moments computes it: no cancellation for large means.
  std::vector<double> squares = sumRows(rows, c, [&](int64_t r, double *acc) {
    const float *xr = x + r * c;
    for (int64_t j = 0; j < c; ++j) {
      const double d = xr[j] - mu[j];
      acc[j] += d * d;
    }
  });
  for (int64_t j = 0; j < c; ++j) {
    mean[j] = static_cast<float>(mu[j]);
    variance[j] = static_cast<float>(squares[j] / static_cast<double>(rows));
  }
  const std::vector<float> invStd = inverseStd(c, variance, eps);
  std::vector<float> scale(static_cast<size_t>(c));
  for (int64_t j = 0; j < c; ++j) scale[j] = invStd[j] * gamma[j];
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * c;
    float *yr = y + r * c;
    for (int64_t j = 0; j < c; ++j) {
      const float v = (xr[j] - mean[j]) * scale[j] + beta[j];
      yr[j] = relu && v < 0.f ? 0.f : v;  // NaN passes, for the divergence guard to see
    }
  }
}

void batchNormBackward(int64_t rows, int64_t channels, const float *dy, const float *x, const float *y,
                       const float *mean, const float *variance, const float *gamma, float eps, bool relu, float *dx,
                       float *dGamma, float *dBeta) {
  const int64_t c = channels;
  const std::vector<float> invStd = inverseStd(c, variance, eps);
  // Where ReLU cut the output, no gradient passes.
  auto g = [&](int64_t i) { return relu && y[i] <= 0.f ? 0.f : dy[i]; };
  const std::vector<double> sums = sumRows(rows, 2 * c, [&](int64_t r, double *acc) {
    for (int64_t j = 0; j < c; ++j) {
      const int64_t i = r * c + j;
      const float gi = g(i);
      acc[j] += gi;
      acc[c + j] += gi * ((x[i] - mean[j]) * invStd[j]);
    }
  });
  std::vector<float> k(static_cast<size_t>(c)), a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
  for (int64_t j = 0; j < c; ++j) {
    dBeta[j] = static_cast<float>(sums[j]);
    dGamma[j] = static_cast<float>(sums[c + j]);
    k[j] = gamma[j] * invStd[j];
    a[j] = static_cast<float>(sums[j] / static_cast<double>(rows));
    b[j] = static_cast<float>(sums[c + j] / static_cast<double>(rows));
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < c; ++j) {
      const int64_t i = r * c + j;
      const float xHat = (x[i] - mean[j]) * invStd[j];
      dx[i] = k[j] * (g(i) - a[j] - xHat * b[j]);
    }
  }
}

}  // namespace not_onednn
