// torch.Generator: a private CPU random stream, so a caller seeded from its own RNG (a degradation given a
// System.Random) gets reproducible samples independent of other threads (the global generator is shared and racy).
#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "wb_common.h"

WB_API at::Generator* wb_generator_new(uint64_t seed) {
  try {
    return new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));
  }
  WB_CATCH(nullptr)
}

WB_API void wb_generator_free(at::Generator* g) { delete g; }

WB_API int wb_generator_manual_seed(at::Generator* g, uint64_t seed) {
  WB_STATUS({
    std::lock_guard<std::mutex> lock(g->mutex());
    g->set_current_seed(seed);
  })
}

WB_API uint64_t wb_generator_initial_seed(at::Generator* g) { return g->current_seed(); }

// torch.randn(size, generator=g, dtype=...): on the generator's device (the CPU).
WB_API Tensor wb_randn_generator(const int64_t* shape, int ndim, at::Generator* g, int dtype, int requires_grad) {
  WB_TENSOR(wb::with_grad(at::randn(wb::ints(shape, ndim), *g, wb::options(dtype, -1, 0)), requires_grad))
}

// torch.poisson(rates, generator=g); a null generator samples from the global one.
WB_API Tensor wb_poisson(Tensor rates, at::Generator* g) {
  WB_TENSOR(at::poisson(*rates, g ? c10::optional<at::Generator>(*g) : c10::nullopt))
}
