// Losses, softmax, dropout, embedding and the activations the tensor core does not have.
#include "nn_common.h"

// reduction: 0 none, 1 mean, 2 sum (at::Reduction).
WB_API Tensor wb_mse_loss(Tensor input, Tensor target, int64_t reduction) { WB_TENSOR(at::mse_loss(*input, *target, reduction)) }
WB_API Tensor wb_l1_loss(Tensor input, Tensor target, int64_t reduction) { WB_TENSOR(at::l1_loss(*input, *target, reduction)) }
WB_API Tensor wb_smooth_l1_loss(Tensor input, Tensor target, int64_t reduction, double beta) {
  WB_TENSOR(at::smooth_l1_loss(*input, *target, reduction, beta))
}
WB_API Tensor wb_huber_loss(Tensor input, Tensor target, int64_t reduction, double delta) { WB_TENSOR(at::huber_loss(*input, *target, reduction, delta)) }
WB_API Tensor wb_binary_cross_entropy(Tensor input, Tensor target, Tensor weight, int64_t reduction) {
  WB_TENSOR(at::binary_cross_entropy(*input, *target, wb::opt(weight), reduction))
}
WB_API Tensor wb_binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor weight, Tensor pos_weight, int64_t reduction) {
  WB_TENSOR(at::binary_cross_entropy_with_logits(*input, *target, wb::opt(weight), wb::opt(pos_weight), reduction))
}
WB_API Tensor wb_cross_entropy_loss(Tensor input, Tensor target, Tensor weight, int64_t reduction, int64_t ignore_index, double label_smoothing) {
  WB_TENSOR(at::cross_entropy_loss(*input, *target, wb::opt(weight), reduction, ignore_index, label_smoothing))
}
WB_API Tensor wb_nll_loss_nd(Tensor input, Tensor target, Tensor weight, int64_t reduction, int64_t ignore_index) {
  WB_TENSOR(at::nll_loss_nd(*input, *target, wb::opt(weight), reduction, ignore_index))
}
WB_API Tensor wb_kl_div(Tensor input, Tensor target, int64_t reduction, int log_target) { WB_TENSOR(at::kl_div(*input, *target, reduction, log_target != 0)) }

// dtype < 0: keep the input's dtype.
WB_API Tensor wb_softmax(Tensor input, int64_t dim, int dtype) {
  WB_TENSOR(at::softmax(*input, dim, dtype >= 0 ? c10::optional<at::ScalarType>(static_cast<at::ScalarType>(dtype)) : c10::nullopt))
}
WB_API Tensor wb_log_softmax(Tensor input, int64_t dim, int dtype) {
  WB_TENSOR(at::log_softmax(*input, dim, dtype >= 0 ? c10::optional<at::ScalarType>(static_cast<at::ScalarType>(dtype)) : c10::nullopt))
}

WB_API Tensor wb_dropout(Tensor input, double p, int train) { WB_TENSOR(at::dropout(*input, p, train != 0)) }
WB_API int wb_dropout_(Tensor input, double p, int train) { WB_STATUS(at::dropout_(*input, p, train != 0)) }
WB_API Tensor wb_feature_dropout(Tensor input, double p, int train) { WB_TENSOR(at::feature_dropout(*input, p, train != 0)) }
WB_API int wb_feature_dropout_(Tensor input, double p, int train) { WB_STATUS(at::feature_dropout_(*input, p, train != 0)) }

WB_API Tensor wb_embedding(Tensor weight, Tensor indices, int64_t padding_idx, int scale_grad_by_freq, int sparse) {
  WB_TENSOR(at::embedding(*weight, *indices, padding_idx, scale_grad_by_freq != 0, sparse != 0))
}

WB_API Tensor wb_prelu(Tensor input, Tensor weight) { WB_TENSOR(at::prelu(*input, *weight)) }
WB_API Tensor wb_elu(Tensor input, double alpha) { WB_TENSOR(at::elu(*input, alpha)) }
WB_API Tensor wb_hardtanh(Tensor input, double min_val, double max_val) { WB_TENSOR(at::hardtanh(*input, min_val, max_val)) }
WB_API Tensor wb_hardswish(Tensor input) { WB_TENSOR(at::hardswish(*input)) }
WB_API Tensor wb_hardsigmoid(Tensor input) { WB_TENSOR(at::hardsigmoid(*input)) }
WB_API Tensor wb_mish(Tensor input) { WB_TENSOR(at::mish(*input)) }
WB_API Tensor wb_gelu_approximate(Tensor input, const char* approximate) { WB_TENSOR(at::gelu(*input, c10::string_view(approximate))) }
WB_API int wb_silu_(Tensor input) { WB_STATUS(at::silu_(*input)) }
