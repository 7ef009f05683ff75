// Spatial filtering for the image degradations (Workbench.Data.Degradations): one OpenCV filter2D per plane.
// The kernels (isotropic/anisotropic Gaussian, motion lines) are built in C#; here only the pixel work.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "wbi_common.h"

// Filters `planes` consecutive float32 (h, w) planes of `src` into `dst` with a (kh, kw) float32 kernel, as
// cv::filter2D does: correlation (the kernel is not flipped), anchor at the kernel centre, borders mirrored without
// repeating the edge pixel (BORDER_REFLECT_101, as PyTorch's "reflect" padding).
WBI_API int wbi_filter2d(const float* src, float* dst, int64_t planes, int h, int w, const float* kernel, int kh, int kw) {
  WBI_STATUS({
    wbi::check(h > 0 && w > 0, "image size must be positive, got ", h, "x", w);
    wbi::check(kh > 0 && kw > 0, "kernel size must be positive, got ", kh, "x", kw);
    cv::Mat k(kh, kw, CV_32FC1, const_cast<float*>(kernel));
    const size_t plane = static_cast<size_t>(h) * w;
    for (int64_t p = 0; p < planes; ++p) {
      cv::Mat s(h, w, CV_32FC1, const_cast<float*>(src) + p * plane);
      cv::Mat d(h, w, CV_32FC1, dst + p * plane);
      cv::filter2D(s, d, CV_32F, k, cv::Point(-1, -1), 0.0, cv::BORDER_REFLECT_101);
    }
  })
}
