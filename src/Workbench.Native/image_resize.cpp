// Image resampling kernels over NCHW float tensors: libtorch's upsample ops (what F.interpolate calls,
// including the antialiased Pillow-style _aa kernels) and OpenCV's INTER_AREA for exact area averaging.
// Choosing a kernel for a request is C#'s job (Workbench.Data.ImageResize).
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "wb_common.h"

// F.interpolate(mode="nearest-exact"): the pixel-centre-correct nearest neighbour (matches Pillow's NEAREST).
WB_API Tensor wb_image_upsample_nearest_exact2d(Tensor x, int64_t h, int64_t w) {
  WB_TENSOR(at::_upsample_nearest_exact2d(*x, {h, w}, c10::nullopt, c10::nullopt))
}

// F.interpolate(mode="bilinear", align_corners, antialias).
WB_API Tensor wb_image_upsample_bilinear2d(Tensor x, int64_t h, int64_t w, int align_corners, int antialias) {
  WB_TENSOR(antialias ? at::_upsample_bilinear2d_aa(*x, {h, w}, align_corners != 0, c10::nullopt, c10::nullopt)
                      : at::upsample_bilinear2d(*x, {h, w}, align_corners != 0, c10::nullopt, c10::nullopt))
}

// F.interpolate(mode="bicubic", align_corners, antialias). The antialiased kernel uses a = -0.5 (as Pillow
// and MATLAB do), the plain one a = -0.75 (as OpenCV's INTER_CUBIC does).
WB_API Tensor wb_image_upsample_bicubic2d(Tensor x, int64_t h, int64_t w, int align_corners, int antialias) {
  WB_TENSOR(antialias ? at::_upsample_bicubic2d_aa(*x, {h, w}, align_corners != 0, c10::nullopt, c10::nullopt)
                      : at::upsample_bicubic2d(*x, {h, w}, align_corners != 0, c10::nullopt, c10::nullopt))
}

// cv::resize(INTER_AREA) on every HxW plane of an NCHW float32/float64 tensor. Downscaling weighs each source
// pixel by the fraction of it a target pixel covers (exact box filtering, unlike adaptive_avg_pool2d's
// overlapping integer windows at non-integer ratios). Runs on the CPU; the result returns to x's device.
WB_API Tensor wb_image_resize_area(Tensor x, int64_t h, int64_t w) {
  try {
    TORCH_CHECK(x->dim() == 4, "expected an NCHW tensor, got ", x->dim(), " dimensions");
    TORCH_CHECK(h > 0 && w > 0, "target size must be positive, got ", h, "x", w);
    const auto type = x->scalar_type();
    TORCH_CHECK(type == at::kFloat || type == at::kDouble, "area resize expects float32 or float64, got ", type);
    const int cv_type = type == at::kFloat ? CV_32FC1 : CV_64FC1;
    auto src = x->detach().to(at::kCPU).contiguous();
    const int64_t planes = src.size(0) * src.size(1), sh = src.size(2), sw = src.size(3);
    auto out = at::empty({src.size(0), src.size(1), h, w}, src.options());
    auto in_planes = src.view({planes, sh, sw});
    auto out_planes = out.view({planes, h, w});
    for (int64_t p = 0; p < planes; ++p) {
      cv::Mat s(static_cast<int>(sh), static_cast<int>(sw), cv_type, in_planes[p].data_ptr());
      cv::Mat d(static_cast<int>(h), static_cast<int>(w), cv_type, out_planes[p].data_ptr());
      cv::resize(s, d, d.size(), 0, 0, cv::INTER_AREA);
    }
    return wb::wrap(out.to(x->device()));
  }
  WB_CATCH(nullptr)
}
