// Tensor ops the nn layer needs that the tensor core lacks (spectral norm, module.to, init.orthogonal_).
#include "nn_common.h"

WB_API Tensor wb_mv(Tensor a, Tensor v) { WB_TENSOR(at::mv(*a, *v)) }
WB_API Tensor wb_diag(Tensor a, int64_t diagonal) { WB_TENSOR(at::diag(*a, diagonal)) }
WB_API Tensor wb_repeat_interleave(Tensor a, int64_t repeats, int64_t dim) { WB_TENSOR(at::repeat_interleave(*a, repeats, dim)) }
WB_API Tensor wb_pinverse(Tensor a, double rcond) { WB_TENSOR(at::pinverse(*a, rcond)) }
WB_API Tensor wb_clamp_min_tensor(Tensor a, double min) { WB_TENSOR(at::clamp_min(*a, min)) }
// Replaces the tensor's data (device, dtype, storage) while keeping its identity and autograd leaf status:
// PyTorch's `param.data = new_data`, which module.to() uses so optimizers keep valid references.
WB_API int wb_set_data(Tensor t, Tensor new_data) { WB_STATUS(t->set_data(*new_data)) }
WB_API int wb_linalg_qr(Tensor a, const char* mode, Tensor* q, Tensor* r) {
  try {
    auto res = at::linalg_qr(*a, c10::string_view(mode));
    *q = wb::wrap(std::get<0>(res));
    *r = wb::wrap(std::get<1>(res));
    return 0;
  }
  WB_CATCH(-1)
}
WB_API Tensor* wb_broadcast_tensors(const Tensor* ts, int n, int* count) {
  try { return wb::wrap_list(at::broadcast_tensors(wb::tensors(ts, n)), count); }
  WB_CATCH(nullptr)
}
