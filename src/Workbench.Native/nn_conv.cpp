// Convolutions, linear layers and patch extraction (nn.Conv1d/2d, nn.ConvTranspose2d, nn.Linear, F.unfold).
#include "nn_common.h"

WB_API Tensor wb_conv1d(Tensor input, Tensor weight, Tensor bias, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
                        int64_t groups) {
  WB_TENSOR(at::conv1d(*input, *weight, wb::opt(bias), wb::ints(stride, 1), wb::ints(padding, 1), wb::ints(dilation, 1), groups))
}
WB_API Tensor wb_conv2d(Tensor input, Tensor weight, Tensor bias, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
                        int64_t groups) {
  WB_TENSOR(at::conv2d(*input, *weight, wb::opt(bias), wb::ints(stride, 2), wb::ints(padding, 2), wb::ints(dilation, 2), groups))
}
// The unfold + GEMM convolution (no oneDNN): for a small map under a large weight it needs only the unfolded input,
// where oneDNN copies the whole weight into its blocked layout on every call (see nn.Conv2d.forward).
WB_API Tensor wb_thnn_conv2d(Tensor input, Tensor weight, Tensor bias, const int64_t* kernel_size, const int64_t* stride, const int64_t* padding) {
  WB_TENSOR(at::thnn_conv2d(*input, *weight, wb::ints(kernel_size, 2), wb::opt(bias), wb::ints(stride, 2), wb::ints(padding, 2)))
}
// padding = "same" or "valid" (libtorch computes the asymmetric padding "same" needs for even kernels).
WB_API Tensor wb_conv2d_padding_mode(Tensor input, Tensor weight, Tensor bias, const int64_t* stride, const char* padding,
                                     const int64_t* dilation, int64_t groups) {
  WB_TENSOR(at::conv2d(*input, *weight, wb::opt(bias), wb::ints(stride, 2), c10::string_view(padding), wb::ints(dilation, 2), groups))
}
WB_API Tensor wb_conv1d_padding_mode(Tensor input, Tensor weight, Tensor bias, const int64_t* stride, const char* padding,
                                     const int64_t* dilation, int64_t groups) {
  WB_TENSOR(at::conv1d(*input, *weight, wb::opt(bias), wb::ints(stride, 1), c10::string_view(padding), wb::ints(dilation, 1), groups))
}
WB_API Tensor wb_conv_transpose2d(Tensor input, Tensor weight, Tensor bias, const int64_t* stride, const int64_t* padding,
                                  const int64_t* output_padding, int64_t groups, const int64_t* dilation) {
  WB_TENSOR(at::conv_transpose2d(*input, *weight, wb::opt(bias), wb::ints(stride, 2), wb::ints(padding, 2), wb::ints(output_padding, 2), groups,
                                 wb::ints(dilation, 2)))
}
WB_API Tensor wb_linear(Tensor input, Tensor weight, Tensor bias) { WB_TENSOR(at::linear(*input, *weight, wb::opt(bias))) }
WB_API Tensor wb_bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor bias) {
  WB_TENSOR(at::bilinear(*input1, *input2, *weight, wb::opt(bias)))
}
WB_API Tensor wb_im2col(Tensor input, const int64_t* kernel_size, const int64_t* dilation, const int64_t* padding, const int64_t* stride) {
  WB_TENSOR(at::im2col(*input, wb::ints(kernel_size, 2), wb::ints(dilation, 2), wb::ints(padding, 2), wb::ints(stride, 2)))
}
WB_API Tensor wb_col2im(Tensor input, const int64_t* output_size, const int64_t* kernel_size, const int64_t* dilation, const int64_t* padding,
                        const int64_t* stride) {
  WB_TENSOR(at::col2im(*input, wb::ints(output_size, 2), wb::ints(kernel_size, 2), wb::ints(dilation, 2), wb::ints(padding, 2), wb::ints(stride, 2)))
}
