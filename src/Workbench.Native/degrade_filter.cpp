// Spatial filtering for the image degradations (Workbench.Data.Degradations): one OpenCV filter2D per plane.
// The kernels (isotropic/anisotropic Gaussian, motion lines) are built in C#; here only the pixel work.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "wb_common.h"

// Filters every HxW plane of a float32 tensor (..., H, W) with a 2-D float32 kernel (kh, kw), as cv::filter2D
// does: correlation (the kernel is not flipped), anchor at the kernel centre, borders mirrored without
// repeating the edge pixel (BORDER_REFLECT_101, as PyTorch's "reflect" padding). CPU; returns to x's device.
WB_API Tensor wb_degrade_filter2d(Tensor x, Tensor kernel) {
  try {
    TORCH_CHECK(x->dim() >= 2, "expected a tensor of at least 2 dimensions (..., H, W), got ", x->dim());
    TORCH_CHECK(kernel->dim() == 2, "the kernel must be 2-D, got ", kernel->dim(), " dimensions");
    TORCH_CHECK(x->scalar_type() == at::kFloat, "filter2d expects float32 images, got ", x->scalar_type());
    auto src = x->detach().to(at::kCPU).contiguous();
    auto k = kernel->detach().to(at::kCPU, at::kFloat).contiguous();
    const int64_t h = src.size(-2), w = src.size(-1);
    const int64_t planes = h * w == 0 ? 0 : src.numel() / (h * w);
    auto out = at::empty_like(src);
    cv::Mat kmat(static_cast<int>(k.size(0)), static_cast<int>(k.size(1)), CV_32FC1, k.data_ptr());
    auto in_planes = src.view({planes, h, w});
    auto out_planes = out.view({planes, h, w});
    for (int64_t p = 0; p < planes; ++p) {
      cv::Mat s(static_cast<int>(h), static_cast<int>(w), CV_32FC1, in_planes[p].data_ptr());
      cv::Mat d(static_cast<int>(h), static_cast<int>(w), CV_32FC1, out_planes[p].data_ptr());
      cv::filter2D(s, d, CV_32F, kmat, cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
    }
    return wb::wrap(out.to(x->device()));
  }
  WB_CATCH(nullptr)
}
