// Process-wide state: seeds and RNG state, threads, devices, build information.
#ifdef WB_HAS_OPENMP
#include <omp.h>
#endif
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>
#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <ATen/Context.h>

#include <string>

#include "wb_common.h"

WB_API int wb_manual_seed(uint64_t seed) { WB_STATUS(at::manual_seed(seed)) }
WB_API uint64_t wb_initial_seed() { return at::detail::getDefaultCPUGenerator().current_seed(); }

// The default CPU generator's full state as a uint8 tensor (saved in checkpoints for exact resume).
WB_API Tensor wb_get_rng_state() {
  try {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return wb::wrap(gen.get_state());
  }
  WB_CATCH(nullptr)
}
WB_API int wb_set_rng_state(Tensor state) {
  try {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
    return 0;
  }
  WB_CATCH(-1)
}

WB_API int wb_set_num_threads(int n) { WB_STATUS(at::set_num_threads(n)) }
WB_API int wb_get_num_threads() { return at::get_num_threads(); }

// The intra-op thread count of the calling thread only (OpenMP keeps it per thread; at::set_num_threads would
// also change the default of every thread started later). Initialises the thread's ATen defaults first, or
// its first parallel op would reset them. Without OpenMP (another ATen backend) this does nothing.
WB_API int wb_set_num_threads_this_thread(int n) {
  try {
    TORCH_CHECK(n > 0, "thread count must be positive, got ", n);
    at::internal::lazy_init_num_threads();
#ifdef WB_HAS_OPENMP
    omp_set_num_threads(n);
#endif
    return 0;
  }
  WB_CATCH(-1)
}
WB_API int wb_set_num_interop_threads(int n) { WB_STATUS(at::set_num_interop_threads(n)) }

// Runtime checks only, so one source builds against CPU and CUDA libtorch alike.
WB_API int wb_cuda_is_available() { return at::detail::getCUDAHooks().hasCUDA(); }
WB_API int wb_cuda_device_count() { return at::detail::getCUDAHooks().getNumGPUs(); }
WB_API int wb_cuda_synchronize() {
  try {
    if (at::detail::getCUDAHooks().hasCUDA()) at::detail::getCUDAHooks().deviceSynchronize(at::detail::getCUDAHooks().current_device());
    return 0;
  }
  WB_CATCH(-1)
}
WB_API int wb_mkldnn_is_available() { return at::hasMKLDNN(); }
WB_API int wb_set_deterministic(int value) { WB_STATUS(at::globalContext().setDeterministicAlgorithms(value != 0, false)) }

WB_API const char* wb_version() {
  static std::string v = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH);
  return v.c_str();
}
WB_API const char* wb_config() {
  static std::string c = at::show_config();
  return c.c_str();
}
