// Text rendering for the "crappify" watermark degradation: OpenCV's Hershey fonts rasterised into a coverage
// mask. Choosing the text, size, place, colour and opacity, and blending, is C#'s job.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "wb_common.h"

// The box cv::putText would draw: width, height above the baseline, and the baseline's depth below it.
WB_API int wb_degrade_text_size(const char* text, int font, double scale, int thickness, int* width, int* height, int* baseline) {
  WB_STATUS({
    int base = 0;
    const cv::Size size = cv::getTextSize(text, font, scale, thickness, &base);
    *width = size.width;
    *height = size.height;
    *baseline = base;
  })
}

// An (h, w) float32 mask in [0, 1]: the anti-aliased coverage of `text` drawn with its baseline starting at
// (x, y) (y down), clipped to the image. Parts outside the image are simply not drawn.
WB_API Tensor wb_degrade_text_mask(int64_t h, int64_t w, const char* text, int font, double scale, int thickness, int x, int y) {
  try {
    TORCH_CHECK(h > 0 && w > 0, "mask size must be positive, got ", h, "x", w);
    TORCH_CHECK(thickness >= 1, "thickness must be at least 1, got ", thickness);
    cv::Mat mask = cv::Mat::zeros(static_cast<int>(h), static_cast<int>(w), CV_8UC1);
    cv::putText(mask, text, cv::Point(x, y), font, scale, cv::Scalar(255), thickness, cv::LINE_AA);
    auto out = at::empty({h, w}, at::kFloat);
    cv::Mat dst(static_cast<int>(h), static_cast<int>(w), CV_32FC1, out.data_ptr());
    mask.convertTo(dst, CV_32F, 1.0 / 255.0);
    return wb::wrap(std::move(out));
  }
  WB_CATCH(nullptr)
}
