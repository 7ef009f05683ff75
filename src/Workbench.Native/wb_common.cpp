// Error state and the small helpers every area uses.
#include "wb_common.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

namespace wb {
void set_error_from_current_exception() {
  try {
    throw;
  } catch (const c10::Error& e) {
    last_error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown native exception";
  }
  has_error = true;
}

Tensor* wrap_list(const std::vector<at::Tensor>& v, int* count) {
  *count = static_cast<int>(v.size());
  auto* out = static_cast<Tensor*>(std::malloc(sizeof(Tensor) * (v.empty() ? 1 : v.size())));
  for (size_t k = 0; k < v.size(); ++k) out[k] = wrap(v[k]);
  return out;
}

at::TensorOptions options(int dtype, int device_type, int device_index) {
  auto o = at::TensorOptions();
  if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
  if (device_type >= 0) o = o.device(c10::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
  return o;
}
}  // namespace wb

// Returns the pending error message (and clears it), or null when the last call succeeded.
WB_API const char* wb_last_error() {
  if (!has_error) return nullptr;
  has_error = false;
  return last_error.c_str();
}

WB_API void wb_free(void* p) { std::free(p); }
