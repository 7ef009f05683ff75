// Shared plumbing for the C ABI: handle type, scalar marshalling, and the one error macro.
#pragma once

#include <ATen/ATen.h>
#include <cstdint>
#include <vector>

#define WB_API extern "C" __attribute__((visibility("default")))

// A tensor handle is an owned heap at::Tensor (a reference-counted pointer to storage).
typedef at::Tensor* Tensor;

// Scalars cross the ABI tagged, so integer tensors stay integer (t + 2 is int64, t + 2.0 is float).
struct WbScalar {
  int64_t i;
  double d;
  int32_t kind;  // 0 = floating, 1 = integral, 2 = bool
};

namespace wb {
void set_error_from_current_exception();
inline Tensor wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }
inline at::Scalar scalar(WbScalar s) {
  switch (s.kind) {
    case 1: return at::Scalar(s.i);
    case 2: return at::Scalar(s.i != 0);
    default: return at::Scalar(s.d);
  }
}
inline at::IntArrayRef ints(const int64_t* p, int n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }
inline std::vector<at::Tensor> tensors(const Tensor* p, int n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int k = 0; k < n; ++k) v.push_back(*p[k]);
  return v;
}
// Hands a list of tensors to managed code as a malloc'd array of handles (freed by wb_free).
Tensor* wrap_list(const std::vector<at::Tensor>& v, int* count);
at::TensorOptions options(int dtype, int device_type, int device_index);
// ATen factories ignore TensorOptions::requires_grad (only torch:: factories honour it), so set it afterwards.
inline at::Tensor with_grad(at::Tensor t, int requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return t;
}
}  // namespace wb

// Every exported function ends its body with one of these: C++ exceptions never cross the ABI;
// the message (without libtorch's C++ backtrace) is kept per thread for wb_last_error().
#define WB_CATCH(fail_value)                   \
  catch (...) {                                \
    wb::set_error_from_current_exception();    \
    return fail_value;                         \
  }
#define WB_TENSOR(expr) \
  try {                 \
    return wb::wrap(expr); \
  }                     \
  WB_CATCH(nullptr)
#define WB_STATUS(stmt) \
  try {                 \
    stmt;               \
    return 0;           \
  }                     \
  WB_CATCH(-1)
