#include "conv.h"

#include <omp.h>

#include <cstring>
#include <list>
#include <map>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

namespace not_onednn {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &stream() {
  static dnnl::stream s(cpu());
  return s;
}

// Logical dims are oneDNN's (N, C, H, W) and (O, I, H, W); the tags say how tfjs lays them out in memory.
memory::desc srcDesc(const ConvShape &s) { return memory::desc({s.n, s.ic, s.ih, s.iw}, dt::f32, tag::nhwc); }
memory::desc dstDesc(const ConvShape &s) { return memory::desc({s.n, s.oc, s.oh, s.ow}, dt::f32, tag::nhwc); }
memory::desc weightsDesc(const ConvShape &s) { return memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, tag::hwio); }
// The primitives pick their own filter layout: with HWIO imposed, oneDNN 2.6 falls back to im2col + GEMM, while a
// blocked layout gets its direct JIT kernels (brgconv / jit:avx512_core). Filters are small: reordering is cheap.
memory::desc anyWeightsDesc(const ConvShape &s) { return memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, tag::any); }
memory::desc biasDesc(const ConvShape &s) { return memory::desc({s.oc}, dt::f32, tag::x); }

// oneDNN counts dilation as the gap between taps (0 = dense); tfjs as the step (1 = dense).
dnnl::convolution_forward::desc forwardDesc(const ConvShape &s, bool bias) {
  return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                         srcDesc(s), anyWeightsDesc(s), bias ? biasDesc(s) : memory::desc(), dstDesc(s),
                                         {s.sh, s.sw}, {s.dh - 1, s.dw - 1}, {s.pt, s.pl}, {s.pb, s.pr});
}

dnnl::primitive_attr activationAttr(Activation act, float alpha) {
  dnnl::primitive_attr attr;
  dnnl::post_ops ops;
  switch (act) {
    case Activation::linear: break;
    case Activation::relu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case Activation::leakyrelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;
    case Activation::relu6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
    case Activation::sigmoid: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
    case Activation::elu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
  }
  attr.set_post_ops(ops);
  return attr;
}

enum Kind : int64_t { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

// A primitive, and where its filter layout differs from HWIO, a buffer in its layout and the reorder between them.
struct Entry {
  dnnl::primitive primitive;
  std::string impl;
  memory::desc weights;
  std::vector<float> blocked;  // empty when the primitive takes HWIO as it is
  dnnl::reorder reorder;       // HWIO -> blocked (forward, backward data) or blocked -> HWIO (backward weights)
};

Entry withWeights(const ConvShape &s, dnnl::primitive p, const char *impl, const memory::desc &chosen, bool out) {
  Entry e{p, impl, chosen, {}, {}};
  if (chosen != weightsDesc(s)) {
    e.blocked.resize(chosen.get_size() / sizeof(float));
    e.reorder = out ? dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), chosen, cpu(), weightsDesc(s)))
                    : dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), weightsDesc(s), cpu(), chosen));
  }
  return e;
}

// Creating a primitive descriptor dispatches and may JIT-compile: keep one per shape, kind and fused activation, at
// most `limit` of them (a training run uses a few dozen; a sweep over shapes would otherwise grow without end), the
// least recently used evicted first.
using Key = std::vector<int64_t>;
std::list<std::pair<Key, Entry>> recent;  // most recently used first
std::map<Key, std::list<std::pair<Key, Entry>>::iterator> index;
size_t limit = 256;
std::mutex cacheLock;

Key key(int64_t kind, const ConvShape &s, int64_t extra0 = 0, float alpha = 0.f) {
  int32_t alphaBits;
  static_assert(sizeof alphaBits == sizeof alpha, "float is 32-bit");
  std::memcpy(&alphaBits, &alpha, sizeof alpha);
  return {kind, s.n, s.ih, s.iw, s.ic, s.oh, s.ow, s.oc, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw, s.pt, s.pl, s.pb, s.pr,
          extra0, alphaBits};
}

void evictBeyond(size_t keep) {
  while (recent.size() > keep) {
    index.erase(recent.back().first);
    recent.pop_back();
  }
}

// The entry stays valid until the next call: the addon is called from one JS thread at a time.
template <typename Make>
Entry &cached(const Key &k, Make make) {
  std::lock_guard<std::mutex> lock(cacheLock);
  auto it = index.find(k);
  if (it != index.end()) {
    recent.splice(recent.begin(), recent, it->second);
    return recent.front().second;
  }
  recent.emplace_front(k, make());
  index.emplace(k, recent.begin());
  evictBeyond(limit);
  return recent.front().second;
}

Entry makeForward(const ConvShape &s, bool bias, Activation act, float alpha) {
  dnnl::convolution_forward::primitive_desc pd(forwardDesc(s, bias), activationAttr(act, alpha), cpu());
  return withWeights(s, dnnl::convolution_forward(pd), pd.impl_info_str(), pd.weights_desc(), false);
}

Entry makeBackwardData(const ConvShape &s) {
  dnnl::convolution_forward::primitive_desc hint(forwardDesc(s, false), cpu());
  dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, srcDesc(s), anyWeightsDesc(s), dstDesc(s),
                                          {s.sh, s.sw}, {s.dh - 1, s.dw - 1}, {s.pt, s.pl}, {s.pb, s.pr});
  dnnl::convolution_backward_data::primitive_desc pd(d, cpu(), hint);
  return withWeights(s, dnnl::convolution_backward_data(pd), pd.impl_info_str(), pd.weights_desc(), false);
}

Entry makeBackwardWeights(const ConvShape &s) {
  dnnl::convolution_forward::primitive_desc hint(forwardDesc(s, false), cpu());
  dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, srcDesc(s), anyWeightsDesc(s),
                                             dstDesc(s), {s.sh, s.sw}, {s.dh - 1, s.dw - 1}, {s.pt, s.pl},
                                             {s.pb, s.pr});
  dnnl::convolution_backward_weights::primitive_desc pd(d, cpu(), hint);
  return withWeights(s, dnnl::convolution_backward_weights(pd), pd.impl_info_str(), pd.diff_weights_desc(), true);
}

// A view of caller-owned memory: oneDNN neither copies nor frees it.
memory view(const memory::desc &d, const void *p) { return memory(d, cpu(), const_cast<void *>(p)); }

// The filter as the primitive takes it: the caller's HWIO array, or that array reordered into the entry's buffer.
memory weightsIn(const ConvShape &s, Entry &e, const float *hwio) {
  memory user = view(weightsDesc(s), hwio);
  if (e.blocked.empty()) return user;
  memory blocked = view(e.weights, e.blocked.data());
  e.reorder.execute(stream(), user, blocked);
  return blocked;
}

}  // namespace

void convForward(const ConvShape &s, const float *src, const float *weights, const float *bias, float *dst,
                 Activation act, float alpha) {
  const bool hasBias = bias != nullptr;
  Entry &e = cached(key(kForward, s, (hasBias ? 16 : 0) + static_cast<int64_t>(act), alpha),
                          [&] { return makeForward(s, hasBias, act, alpha); });
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, view(srcDesc(s), src)},
                                       {DNNL_ARG_WEIGHTS, weightsIn(s, e, weights)},
                                       {DNNL_ARG_DST, view(dstDesc(s), dst)}};
  if (hasBias) args.emplace(DNNL_ARG_BIAS, view(biasDesc(s), bias));
  e.primitive.execute(stream(), args);
  stream().wait();
}

void convBackwardData(const ConvShape &s, const float *diffDst, const float *weights, float *diffSrc) {
  Entry &e = cached(key(kBackwardData, s), [&] { return makeBackwardData(s); });
  e.primitive.execute(stream(), {{DNNL_ARG_DIFF_DST, view(dstDesc(s), diffDst)},
                                 {DNNL_ARG_WEIGHTS, weightsIn(s, e, weights)},
                                 {DNNL_ARG_DIFF_SRC, view(srcDesc(s), diffSrc)}});
  stream().wait();
}

void convBackwardWeights(const ConvShape &s, const float *src, const float *diffDst, float *diffWeights) {
  Entry &e = cached(key(kBackwardWeights, s), [&] { return makeBackwardWeights(s); });
  memory user = view(weightsDesc(s), diffWeights);
  memory out = e.blocked.empty() ? user : view(e.weights, e.blocked.data());
  e.primitive.execute(stream(), {{DNNL_ARG_SRC, view(srcDesc(s), src)},
                                 {DNNL_ARG_DIFF_DST, view(dstDesc(s), diffDst)},
                                 {DNNL_ARG_DIFF_WEIGHTS, out}});
  if (!e.blocked.empty()) e.reorder.execute(stream(), out, user);
  stream().wait();
}

std::string implementations(const ConvShape &s) {
  return "forward " + makeForward(s, false, Activation::linear, 0.f).impl + ", backward data " +
         makeBackwardData(s).impl + ", backward weights " + makeBackwardWeights(s).impl;
}

void setThreads(int threads) { omp_set_num_threads(threads); }
int maxThreads() { return omp_get_max_threads(); }

size_t cachedPrimitives() {
  std::lock_guard<std::mutex> lock(cacheLock);
  return recent.size();
}

void setCacheLimit(size_t n) {
  std::lock_guard<std::mutex> lock(cacheLock);
  limit = n;
  evictBeyond(limit);
}

}  // namespace not_onednn
