// Normalization layers. Running statistics are updated in place by libtorch, as in PyTorch.
#include "nn_common.h"

WB_API Tensor wb_batch_norm(Tensor input, Tensor weight, Tensor bias, Tensor running_mean, Tensor running_var, int training, double momentum,
                            double eps) {
  WB_TENSOR(at::batch_norm(*input, wb::opt(weight), wb::opt(bias), wb::opt(running_mean), wb::opt(running_var), training != 0, momentum, eps,
                           /*cudnn_enabled=*/true))
}
WB_API Tensor wb_instance_norm(Tensor input, Tensor weight, Tensor bias, Tensor running_mean, Tensor running_var, int use_input_stats,
                               double momentum, double eps) {
  WB_TENSOR(at::instance_norm(*input, wb::opt(weight), wb::opt(bias), wb::opt(running_mean), wb::opt(running_var), use_input_stats != 0, momentum,
                              eps, /*cudnn_enabled=*/true))
}
WB_API Tensor wb_group_norm(Tensor input, int64_t num_groups, Tensor weight, Tensor bias, double eps) {
  WB_TENSOR(at::group_norm(*input, num_groups, wb::opt(weight), wb::opt(bias), eps, /*cudnn_enabled=*/true))
}
WB_API Tensor wb_layer_norm(Tensor input, const int64_t* normalized_shape, int n, Tensor weight, Tensor bias, double eps) {
  WB_TENSOR(at::layer_norm(*input, wb::ints(normalized_shape, n), wb::opt(weight), wb::opt(bias), eps, /*cudnn_enable=*/true))
}
