// Pooling, pixel (un)shuffle, resampling (interpolate, grid_sample) and padding.
#include "nn_common.h"

WB_API Tensor wb_max_pool2d(Tensor input, const int64_t* kernel_size, const int64_t* stride, const int64_t* padding, const int64_t* dilation,
                            int ceil_mode) {
  WB_TENSOR(at::max_pool2d(*input, wb::ints(kernel_size, 2), wb::ints(stride, 2), wb::ints(padding, 2), wb::ints(dilation, 2), ceil_mode != 0))
}
WB_API int wb_max_pool2d_with_indices(Tensor input, const int64_t* kernel_size, const int64_t* stride, const int64_t* padding,
                                      const int64_t* dilation, int ceil_mode, Tensor* values, Tensor* indices) {
  try {
    auto r = at::max_pool2d_with_indices(*input, wb::ints(kernel_size, 2), wb::ints(stride, 2), wb::ints(padding, 2), wb::ints(dilation, 2),
                                         ceil_mode != 0);
    *values = wb::wrap(std::get<0>(r));
    *indices = wb::wrap(std::get<1>(r));
    return 0;
  }
  WB_CATCH(-1)
}
// divisor_override <= 0 means None.
WB_API Tensor wb_avg_pool2d(Tensor input, const int64_t* kernel_size, const int64_t* stride, const int64_t* padding, int ceil_mode,
                            int count_include_pad, int64_t divisor_override) {
  WB_TENSOR(at::avg_pool2d(*input, wb::ints(kernel_size, 2), wb::ints(stride, 2), wb::ints(padding, 2), ceil_mode != 0, count_include_pad != 0,
                           divisor_override > 0 ? c10::optional<int64_t>(divisor_override) : c10::nullopt))
}
WB_API Tensor wb_adaptive_avg_pool2d(Tensor input, const int64_t* output_size) { WB_TENSOR(at::adaptive_avg_pool2d(*input, wb::ints(output_size, 2))) }
WB_API int wb_adaptive_max_pool2d(Tensor input, const int64_t* output_size, Tensor* values, Tensor* indices) {
  try {
    auto r = at::adaptive_max_pool2d(*input, wb::ints(output_size, 2));
    *values = wb::wrap(std::get<0>(r));
    *indices = wb::wrap(std::get<1>(r));
    return 0;
  }
  WB_CATCH(-1)
}
WB_API Tensor wb_pixel_shuffle(Tensor input, int64_t upscale_factor) { WB_TENSOR(at::pixel_shuffle(*input, upscale_factor)) }
WB_API Tensor wb_pixel_unshuffle(Tensor input, int64_t downscale_factor) { WB_TENSOR(at::pixel_unshuffle(*input, downscale_factor)) }

// interpolate: exactly one of output_size (n_size = 2) and scale_factors (n_scale = 2) is given (the other count is -1),
// as F.interpolate passes them; with scale factors libtorch uses them (not the rounded size) to map coordinates.
WB_API Tensor wb_upsample_nearest2d(Tensor input, const int64_t* size, int n_size, const double* scales, int n_scale) {
  WB_TENSOR(at::upsample_nearest2d(*input, wb::opt_ints(size, n_size), wb::opt_doubles(scales, n_scale)))
}
WB_API Tensor wb_upsample_nearest_exact2d(Tensor input, const int64_t* size, int n_size, const double* scales, int n_scale) {
  WB_TENSOR(at::_upsample_nearest_exact2d(*input, wb::opt_ints(size, n_size), wb::opt_doubles(scales, n_scale)))
}
WB_API Tensor wb_upsample_bilinear2d(Tensor input, const int64_t* size, int n_size, int align_corners, const double* scales, int n_scale) {
  WB_TENSOR(at::upsample_bilinear2d(*input, wb::opt_ints(size, n_size), align_corners != 0, wb::opt_doubles(scales, n_scale)))
}
WB_API Tensor wb_upsample_bicubic2d(Tensor input, const int64_t* size, int n_size, int align_corners, const double* scales, int n_scale) {
  WB_TENSOR(at::upsample_bicubic2d(*input, wb::opt_ints(size, n_size), align_corners != 0, wb::opt_doubles(scales, n_scale)))
}
WB_API Tensor wb_upsample_bilinear2d_aa(Tensor input, const int64_t* size, int n_size, int align_corners, const double* scales, int n_scale) {
  WB_TENSOR(at::_upsample_bilinear2d_aa(*input, wb::opt_ints(size, n_size), align_corners != 0, wb::opt_doubles(scales, n_scale)))
}
WB_API Tensor wb_upsample_bicubic2d_aa(Tensor input, const int64_t* size, int n_size, int align_corners, const double* scales, int n_scale) {
  WB_TENSOR(at::_upsample_bicubic2d_aa(*input, wb::opt_ints(size, n_size), align_corners != 0, wb::opt_doubles(scales, n_scale)))
}
WB_API Tensor wb_grid_sampler(Tensor input, Tensor grid, int64_t interpolation_mode, int64_t padding_mode, int align_corners) {
  WB_TENSOR(at::grid_sampler(*input, *grid, interpolation_mode, padding_mode, align_corners != 0))
}
WB_API Tensor wb_affine_grid_generator(Tensor theta, const int64_t* size, int n, int align_corners) {
  WB_TENSOR(at::affine_grid_generator(*theta, wb::ints(size, n), align_corners != 0))
}
// mode: "constant", "reflect", "replicate" or "circular" (F.pad); has_value = 0 is value=None.
WB_API Tensor wb_pad(Tensor input, const int64_t* pad, int n, const char* mode, int has_value, double value) {
  WB_TENSOR(at::pad(*input, wb::ints(pad, n), c10::string_view(mode), has_value ? c10::optional<double>(value) : c10::nullopt))
}
