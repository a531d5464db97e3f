// N-API glue: tfjs' wasm backend hands over its heap (a typed array over the WebAssembly memory, an ArrayBuffer or,
// when threaded, a SharedArrayBuffer) and byte offsets of tensors in it; the convolutions read and write there.
#include <node_api.h>

#include <cmath>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "batch-norm.h"
#include "conv.h"

namespace {

using not_onednn::ConvShape;

struct JsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(napi_env env, napi_status status, const char *what) {
  if (status != napi_ok) throw JsError(std::string("N-API call failed: ") + what);
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t want, const char *fn) {
  size_t argc = want;
  std::vector<napi_value> argv(want);
  check(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "napi_get_cb_info");
  if (argc < want) {
    throw JsError(std::string(fn) + ": expected " + std::to_string(want) + " arguments, got " + std::to_string(argc));
  }
  return argv;
}

// napi_get_arraybuffer_info refuses a SharedArrayBuffer in Node 20; a typed array's info works over both kinds.
struct Heap {
  uint8_t *base;
  size_t bytes;
};

Heap heapOf(napi_env env, napi_value v, const char *fn) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, v, &isTyped), "napi_is_typedarray");
  if (!isTyped) throw JsError(std::string(fn) + ": heap must be a typed array over the wasm memory");
  napi_typedarray_type type;
  size_t length;
  void *data;
  check(env, napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr), "napi_get_typedarray_info");
  if (type != napi_uint8_array) throw JsError(std::string(fn) + ": heap must be a Uint8Array");
  return {static_cast<uint8_t *>(data), length};
}

template <typename T>
T *typedArray(napi_env env, napi_value v, napi_typedarray_type want, size_t length, const char *fn, const char *name) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, v, &isTyped), "napi_is_typedarray");
  napi_typedarray_type type;
  size_t got = 0;
  void *data = nullptr;
  if (isTyped) check(env, napi_get_typedarray_info(env, v, &type, &got, &data, nullptr, nullptr), "typedarray info");
  if (!isTyped || type != want || got != length) {
    throw JsError(std::string(fn) + ": " + name + " must be a typed array of " + std::to_string(length) +
                  " elements, got " + (isTyped ? std::to_string(got) + " elements" : "something else"));
  }
  return static_cast<T *>(data);
}

// dims: n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr.
ConvShape shapeOf(napi_env env, napi_value v, const char *fn) {
  const int32_t *d = typedArray<int32_t>(env, v, napi_int32_array, 17, fn, "dims");
  ConvShape s{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16]};
  const int64_t positive[] = {s.n, s.ih, s.iw, s.ic, s.oh, s.ow, s.oc, s.kh, s.kw, s.sh, s.sw, s.dh, s.dw};
  for (int64_t x : positive) {
    if (x < 1) throw JsError(std::string(fn) + ": sizes, strides and dilations must be >= 1");
  }
  const int64_t pads[] = {s.pt, s.pl, s.pb, s.pr};
  for (int64_t x : pads) {
    if (x < 0) throw JsError(std::string(fn) + ": paddings must be >= 0");
  }
  return s;
}

// A tensor of `elements` floats at byte offset `offset` of the heap, checked to lie inside it.
float *at(const Heap &heap, double offset, int64_t elements, const char *fn, const char *name) {
  const double bytes = 4.0 * static_cast<double>(elements);
  if (!(offset >= 0) || std::floor(offset) != offset || offset + bytes > static_cast<double>(heap.bytes) ||
      static_cast<int64_t>(offset) % 4 != 0) {
    throw JsError(std::string(fn) + ": " + name + " at byte " + std::to_string(offset) + " (" +
                  std::to_string(bytes) + " bytes) is not a float32 array inside the heap of " +
                  std::to_string(heap.bytes) + " bytes");
  }
  return reinterpret_cast<float *>(heap.base + static_cast<size_t>(offset));
}

int64_t srcElements(const ConvShape &s) { return s.n * s.ih * s.iw * s.ic; }
int64_t dstElements(const ConvShape &s) { return s.n * s.oh * s.ow * s.oc; }
int64_t weightElements(const ConvShape &s) { return s.kh * s.kw * s.ic * s.oc; }

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

template <typename Body>
napi_value guarded(napi_env env, const char *fn, Body body) {
  try {
    return body();
  } catch (const JsError &e) {
    napi_throw_error(env, nullptr, e.what());
  } catch (const dnnl::error &e) {
    napi_throw_error(env, nullptr, (std::string(fn) + ": oneDNN: " + e.what()).c_str());
  } catch (const std::exception &e) {
    napi_throw_error(env, nullptr, (std::string(fn) + ": " + e.what()).c_str());
  }
  return nullptr;
}

// What every convolution call starts with: (heap, dims, offsets: Float64Array of `tensors` byte offsets, ...).
struct ConvCall {
  std::vector<napi_value> argv;
  Heap heap;
  ConvShape s;
  const double *offsets;
};

ConvCall convCall(napi_env env, napi_callback_info info, size_t argc, size_t tensors, const char *fn) {
  auto a = args(env, info, argc, fn);
  return {a, heapOf(env, a[0], fn), shapeOf(env, a[1], fn),
          typedArray<double>(env, a[2], napi_float64_array, tensors, fn, "offsets")};
}

// conv2d(heap, dims, offsets [x, filter, bias or -1, y], activation, alpha)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.conv2d";
  return guarded(env, fn, [&] {
    ConvCall c = convCall(env, info, 5, 4, fn);
    int32_t act;
    double alpha;
    check(env, napi_get_value_int32(env, c.argv[3], &act), "activation");
    check(env, napi_get_value_double(env, c.argv[4], &alpha), "alpha");
    if (act < 0 || act > 5) throw JsError(std::string(fn) + ": activation must be 0..5, got " + std::to_string(act));
    const double *o = c.offsets;
    const float *b = o[2] < 0 ? nullptr : at(c.heap, o[2], c.s.oc, fn, "bias");
    not_onednn::convForward(c.s, at(c.heap, o[0], srcElements(c.s), fn, "x"),
                            at(c.heap, o[1], weightElements(c.s), fn, "filter"), b,
                            at(c.heap, o[3], dstElements(c.s), fn, "y"), static_cast<not_onednn::Activation>(act),
                            static_cast<float>(alpha));
    return undefinedValue(env);
  });
}

// conv2dBackpropInput(heap, dims, offsets [dy, filter, dx])
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.conv2dBackpropInput";
  return guarded(env, fn, [&] {
    ConvCall c = convCall(env, info, 3, 3, fn);
    const double *o = c.offsets;
    not_onednn::convBackwardData(c.s, at(c.heap, o[0], dstElements(c.s), fn, "dy"),
                                 at(c.heap, o[1], weightElements(c.s), fn, "filter"),
                                 at(c.heap, o[2], srcElements(c.s), fn, "dx"));
    return undefinedValue(env);
  });
}

// conv2dBackpropFilter(heap, dims, offsets [x, dy, dw])
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.conv2dBackpropFilter";
  return guarded(env, fn, [&] {
    ConvCall c = convCall(env, info, 3, 3, fn);
    const double *o = c.offsets;
    not_onednn::convBackwardWeights(c.s, at(c.heap, o[0], srcElements(c.s), fn, "x"),
                                    at(c.heap, o[1], dstElements(c.s), fn, "dy"),
                                    at(c.heap, o[2], weightElements(c.s), fn, "dw"));
    return undefinedValue(env);
  });
}

// Batch norm calls: (heap, dims Int32Array [rows, channels], offsets, eps, relu).
struct BatchNormCall {
  Heap heap;
  int64_t rows, channels;
  const double *offsets;
  float eps;
  bool relu;
};

BatchNormCall batchNormCall(napi_env env, napi_callback_info info, size_t tensors, const char *fn) {
  auto a = args(env, info, 5, fn);
  const int32_t *d = typedArray<int32_t>(env, a[1], napi_int32_array, 2, fn, "dims");
  if (d[0] < 1 || d[1] < 1) throw JsError(std::string(fn) + ": rows and channels must be >= 1");
  double eps;
  bool relu;
  check(env, napi_get_value_double(env, a[3], &eps), "eps");
  check(env, napi_get_value_bool(env, a[4], &relu), "relu");
  return {heapOf(env, a[0], fn), d[0], d[1], typedArray<double>(env, a[2], napi_float64_array, tensors, fn, "offsets"),
          static_cast<float>(eps), relu};
}

// batchNormForward(heap, dims, offsets [x, gamma, beta, y, mean, variance], eps, relu)
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.batchNormForward";
  return guarded(env, fn, [&] {
    BatchNormCall c = batchNormCall(env, info, 6, fn);
    const double *o = c.offsets;
    const int64_t all = c.rows * c.channels;
    not_onednn::batchNormForward(c.rows, c.channels, at(c.heap, o[0], all, fn, "x"), at(c.heap, o[1], c.channels, fn, "gamma"),
                                 at(c.heap, o[2], c.channels, fn, "beta"), c.eps, c.relu, at(c.heap, o[3], all, fn, "y"),
                                 at(c.heap, o[4], c.channels, fn, "mean"), at(c.heap, o[5], c.channels, fn, "variance"));
    return undefinedValue(env);
  });
}

// batchNormBackward(heap, dims, offsets [dy, x, y, mean, variance, gamma, dx, dGamma, dBeta], eps, relu)
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.batchNormBackward";
  return guarded(env, fn, [&] {
    BatchNormCall c = batchNormCall(env, info, 9, fn);
    const double *o = c.offsets;
    const int64_t all = c.rows * c.channels;
    const int64_t ch = c.channels;
    not_onednn::batchNormBackward(c.rows, ch, at(c.heap, o[0], all, fn, "dy"), at(c.heap, o[1], all, fn, "x"),
                                  at(c.heap, o[2], all, fn, "y"), at(c.heap, o[3], ch, fn, "mean"),
                                  at(c.heap, o[4], ch, fn, "variance"), at(c.heap, o[5], ch, fn, "gamma"), c.eps, c.relu,
                                  at(c.heap, o[6], all, fn, "dx"), at(c.heap, o[7], ch, fn, "dGamma"),
                                  at(c.heap, o[8], ch, fn, "dBeta"));
    return undefinedValue(env);
  });
}

// implementations(dims) -> "forward …, backward data …, backward weights …"
napi_value Implementations(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.implementations";
  return guarded(env, fn, [&] {
    auto a = args(env, info, 1, fn);
    std::string s = not_onednn::implementations(shapeOf(env, a[0], fn));
    napi_value out;
    check(env, napi_create_string_utf8(env, s.c_str(), s.size(), &out), "string");
    return out;
  });
}

// setThreads(n): threads for the following calls; threads() -> the current count.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.setThreads";
  return guarded(env, fn, [&] {
    auto a = args(env, info, 1, fn);
    int32_t n;
    check(env, napi_get_value_int32(env, a[0], &n), "threads");
    if (n < 1) throw JsError(std::string(fn) + ": threads must be >= 1, got " + std::to_string(n));
    not_onednn::setThreads(n);
    return undefinedValue(env);
  });
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, not_onednn::maxThreads(), &out);
  return out;
}

// setCacheLimit(n): keep at most n primitives from now on (the least recently used go first).
napi_value SetCacheLimit(napi_env env, napi_callback_info info) {
  const char *fn = "not_onednn.setCacheLimit";
  return guarded(env, fn, [&] {
    auto a = args(env, info, 1, fn);
    int32_t n;
    check(env, napi_get_value_int32(env, a[0], &n), "limit");
    if (n < 1) throw JsError(std::string(fn) + ": limit must be >= 1, got " + std::to_string(n));
    not_onednn::setCacheLimit(static_cast<size_t>(n));
    return undefinedValue(env);
  });
}

napi_value CachedPrimitives(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_double(env, static_cast<double>(not_onednn::cachedPrimitives()), &out);
  return out;
}

napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  std::string s = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value out;
  napi_create_string_utf8(env, s.c_str(), s.size(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"implementations", nullptr, Implementations, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"setCacheLimit", nullptr, SetCacheLimit, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"cachedPrimitives", nullptr, CachedPrimitives, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
