// Random sampling with a private generator per call, so a degradation seeded from a System.Random is
// reproducible and independent of other threads (the global torch generator is shared and racy).
#include <ATen/CPUGeneratorImpl.h>

#include "wb_common.h"

// Standard normal float32 samples of the given shape, from a fresh CPU generator seeded with `seed`.
WB_API Tensor wb_degrade_randn(const int64_t* shape, int ndim, uint64_t seed) {
  WB_TENSOR(at::randn(wb::ints(shape, ndim), at::make_generator<at::CPUGeneratorImpl>(seed), at::TensorOptions().dtype(at::kFloat)))
}

// Poisson samples with the given (non-negative, float) rates, from a fresh CPU generator seeded with `seed`.
WB_API Tensor wb_degrade_poisson(Tensor rates, uint64_t seed) {
  WB_TENSOR(at::poisson(rates->detach().to(at::kCPU).contiguous(), at::make_generator<at::CPUGeneratorImpl>(seed)).to(rates->device()))
}
