// Automatic mixed precision: autocast's thread-local state (which dispatcher keys are included,
// the lower-precision dtype, the cast cache). The scope logic (save, set, restore) lives in C#.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "wb_common.h"

namespace {
c10::DeviceType autocast_device(int device_type) {
  auto d = static_cast<c10::DeviceType>(device_type);
  TORCH_CHECK(d == c10::DeviceType::CPU || d == c10::DeviceType::CUDA, "autocast: device_type must be 'cpu' or 'cuda'");
  return d;
}

// PyTorch 2.4 replaced the per-device functions (is_cpu_enabled, set_autocast_gpu_dtype, ...) by ones taking a
// device type and later deprecates the old ones; 1.13 (Debian) has only the old ones. This is the one place that
// tells them apart.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool is_enabled(c10::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
void set_enabled(c10::DeviceType d, bool on) { at::autocast::set_autocast_enabled(d, on); }
at::ScalarType get_dtype(c10::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void set_dtype(c10::DeviceType d, at::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }
#else
bool is_cpu(c10::DeviceType d) { return d == c10::DeviceType::CPU; }
bool is_enabled(c10::DeviceType d) { return is_cpu(d) ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled(); }
void set_enabled(c10::DeviceType d, bool on) { is_cpu(d) ? at::autocast::set_cpu_enabled(on) : at::autocast::set_enabled(on); }
at::ScalarType get_dtype(c10::DeviceType d) { return is_cpu(d) ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype(); }
void set_dtype(c10::DeviceType d, at::ScalarType t) { is_cpu(d) ? at::autocast::set_autocast_cpu_dtype(t) : at::autocast::set_autocast_gpu_dtype(t); }
#endif
}  // namespace

WB_API int wb_autocast_is_enabled(int device_type, int* out) { WB_STATUS(*out = is_enabled(autocast_device(device_type))) }
WB_API int wb_autocast_set_enabled(int device_type, int enabled) { WB_STATUS(set_enabled(autocast_device(device_type), enabled != 0)) }
WB_API int wb_autocast_get_dtype(int device_type, int* out) { WB_STATUS(*out = static_cast<int>(get_dtype(autocast_device(device_type)))) }
// libtorch 1.13 rejects anything but bfloat16 for CPU ("AutocastCPU only support Bfloat16").
WB_API int wb_autocast_set_dtype(int device_type, int dtype) { WB_STATUS(set_dtype(autocast_device(device_type), static_cast<at::ScalarType>(dtype))) }

WB_API int wb_autocast_increment_nesting() { return at::autocast::increment_nesting(); }
WB_API int wb_autocast_decrement_nesting() { return at::autocast::decrement_nesting(); }
WB_API int wb_autocast_clear_cache() { WB_STATUS(at::autocast::clear_cache()) }
WB_API int wb_autocast_is_cache_enabled() { return at::autocast::is_autocast_cache_enabled(); }
WB_API int wb_autocast_set_cache_enabled(int enabled) { WB_STATUS(at::autocast::set_autocast_cache_enabled(enabled != 0)) }
