// cv::resize over raw pixel buffers: exact area averaging (INTER_AREA) of float planes for Workbench.Data.ImageResize,
// and 8-bit HWC resizing for dataset preparation and the Lanczos upscaler path. The interpolation is chosen in C#.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "wbi_common.h"

// Resizes `planes` consecutive (src_h, src_w, channels) images of OpenCV depth `depth` (CV_8U, CV_32F or CV_64F)
// from `src` into `dst` (planes of (dst_h, dst_w, channels)) with an OpenCV interpolation flag (INTER_AREA = 3
// weighs each source pixel by the fraction of it a target pixel covers; INTER_LANCZOS4 = 4).
WBI_API int wbi_resize(const void* src, void* dst, int64_t planes, int src_h, int src_w, int channels, int depth,
                       int dst_h, int dst_w, int interpolation) {
  WBI_STATUS({
    wbi::check(channels >= 1 && channels <= 4, "expected 1 to 4 channels, got ", channels);
    wbi::check(depth == CV_8U || depth == CV_32F || depth == CV_64F, "resize expects uint8, float32 or float64 samples, got OpenCV depth ", depth);
    wbi::check(src_h > 0 && src_w > 0, "source size must be positive, got ", src_h, "x", src_w);
    wbi::check(dst_h > 0 && dst_w > 0, "target size must be positive, got ", dst_h, "x", dst_w);
    const int type = CV_MAKETYPE(depth, channels);
    const size_t src_plane = static_cast<size_t>(src_h) * src_w * CV_ELEM_SIZE(type);
    const size_t dst_plane = static_cast<size_t>(dst_h) * dst_w * CV_ELEM_SIZE(type);
    for (int64_t p = 0; p < planes; ++p) {
      cv::Mat s(src_h, src_w, type, const_cast<char*>(static_cast<const char*>(src)) + p * src_plane);
      cv::Mat d(dst_h, dst_w, type, static_cast<char*>(dst) + p * dst_plane);
      cv::resize(s, d, d.size(), 0, 0, interpolation);
    }
  })
}
