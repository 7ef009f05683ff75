// Automatic mixed precision: autocast's thread-local state (which dispatcher keys are included,
// the lower-precision dtype, the cast cache). The scope logic (save, set, restore) lives in C#.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "wb_common.h"

// PyTorch 2.4 replaced the per-device functions (is_cpu_enabled, set_autocast_gpu_dtype, ...) by
// ones taking a device type and later deprecates the old ones; 1.13 (Debian) has only the old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define WB_AUTOCAST_BY_DEVICE 1
#endif

static c10::DeviceType autocast_device(int device_type) {
  auto d = static_cast<c10::DeviceType>(device_type);
  TORCH_CHECK(d == c10::DeviceType::CPU || d == c10::DeviceType::CUDA, "autocast: device_type must be 'cpu' or 'cuda'");
  return d;
}

WB_API int wb_autocast_is_enabled(int device_type, int* out) {
  try {
    auto d = autocast_device(device_type);
#ifdef WB_AUTOCAST_BY_DEVICE
    *out = at::autocast::is_autocast_enabled(d);
#else
    *out = d == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
    return 0;
  }
  WB_CATCH(-1)
}

WB_API int wb_autocast_set_enabled(int device_type, int enabled) {
  try {
    auto d = autocast_device(device_type);
#ifdef WB_AUTOCAST_BY_DEVICE
    at::autocast::set_autocast_enabled(d, enabled != 0);
#else
    if (d == c10::DeviceType::CPU) at::autocast::set_cpu_enabled(enabled != 0);
    else at::autocast::set_enabled(enabled != 0);
#endif
    return 0;
  }
  WB_CATCH(-1)
}

WB_API int wb_autocast_get_dtype(int device_type, int* out) {
  try {
    auto d = autocast_device(device_type);
#ifdef WB_AUTOCAST_BY_DEVICE
    *out = static_cast<int>(at::autocast::get_autocast_dtype(d));
#else
    *out = static_cast<int>(d == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype());
#endif
    return 0;
  }
  WB_CATCH(-1)
}

// libtorch 1.13 rejects anything but bfloat16 for CPU ("AutocastCPU only support Bfloat16").
WB_API int wb_autocast_set_dtype(int device_type, int dtype) {
  try {
    auto d = autocast_device(device_type);
    auto t = static_cast<at::ScalarType>(dtype);
#ifdef WB_AUTOCAST_BY_DEVICE
    at::autocast::set_autocast_dtype(d, t);
#else
    if (d == c10::DeviceType::CPU) at::autocast::set_autocast_cpu_dtype(t);
    else at::autocast::set_autocast_gpu_dtype(t);
#endif
    return 0;
  }
  WB_CATCH(-1)
}

WB_API int wb_autocast_increment_nesting() { return at::autocast::increment_nesting(); }
WB_API int wb_autocast_decrement_nesting() { return at::autocast::decrement_nesting(); }
WB_API int wb_autocast_clear_cache() { WB_STATUS(at::autocast::clear_cache()) }
WB_API int wb_autocast_is_cache_enabled() { return at::autocast::is_autocast_cache_enabled(); }
WB_API int wb_autocast_set_cache_enabled(int enabled) { WB_STATUS(at::autocast::set_autocast_cache_enabled(enabled != 0)) }
