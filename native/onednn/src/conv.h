// oneDNN convolutions on NHWC activations and HWIO filters (tfjs' layouts), on memory the caller owns.
#pragma once
#include <cstdint>
#include <string>

namespace not_onednn {

// One 2-D convolution as tfjs describes it: dilations as tfjs counts them (1 = dense), explicit paddings.
struct ConvShape {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

// The activation fused after bias in FusedConv2D (tfjs' 'linear', 'relu', 'leakyrelu', 'relu6', 'sigmoid', 'elu').
enum class Activation : int { linear = 0, relu = 1, leakyrelu = 2, relu6 = 3, sigmoid = 4, elu = 5 };

// dst = act(conv(src, weights) + bias); bias may be null.
void convForward(const ConvShape &s, const float *src, const float *weights, const float *bias, float *dst,
                 Activation act, float alpha);
// diffSrc = the gradient of conv(src, weights) with respect to src, given diffDst.
void convBackwardData(const ConvShape &s, const float *diffDst, const float *weights, float *diffSrc);
// diffWeights = the gradient of conv(src, weights) with respect to weights, given diffDst.
void convBackwardWeights(const ConvShape &s, const float *src, const float *diffDst, float *diffWeights);

// The oneDNN implementation each kind of primitive chose for s (e.g. "brg:avx512_core"), for reports.
std::string implementations(const ConvShape &s);
// Threads oneDNN's OpenMP runtime uses from now on (on the calling thread).
void setThreads(int threads);
int maxThreads();
// Primitives kept (one per shape, kind and activation), and how many at most (256 unless set).
size_t cachedPrimitives();
void setCacheLimit(size_t n);

}  // namespace not_onednn
