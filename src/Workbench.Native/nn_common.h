// Helpers shared by the nn_*.cpp files: optional tensors and optional lists across the C ABI.
#pragma once

#include "wb_common.h"

namespace wb {
// A null handle is PyTorch's None (no bias, no running stats, no weight).
inline c10::optional<at::Tensor> opt(Tensor t) { return t ? c10::optional<at::Tensor>(*t) : c10::nullopt; }
// A negative count is None; otherwise the list of n values.
inline at::OptionalIntArrayRef opt_ints(const int64_t* p, int n) {
  if (n < 0) return c10::nullopt;
  return at::IntArrayRef(p, static_cast<size_t>(n));
}
inline c10::optional<at::ArrayRef<double>> opt_doubles(const double* p, int n) {
  if (n < 0) return c10::nullopt;
  return at::ArrayRef<double>(p, static_cast<size_t>(n));
}
}  // namespace wb
