// Text rendering for the "crappify" watermark degradation and panel captions: OpenCV's Hershey fonts rasterised
// into a coverage mask. Choosing the text, size, place, colour and opacity, and blending, is C#'s job.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "wbi_common.h"

// The box cv::putText would draw: width, height above the baseline, and the baseline's depth below it.
WBI_API int wbi_text_size(const char* text, int font, double scale, int thickness, int* width, int* height, int* baseline) {
  WBI_STATUS({
    int base = 0;
    const cv::Size size = cv::getTextSize(text, font, scale, thickness, &base);
    *width = size.width;
    *height = size.height;
    *baseline = base;
  })
}

// Writes into `dst` an (h, w) float32 mask in [0, 1]: the anti-aliased coverage of `text` drawn with its baseline
// starting at (x, y) (y down), clipped to the image. Parts outside the image are simply not drawn.
WBI_API int wbi_text_mask(float* dst, int h, int w, const char* text, int font, double scale, int thickness, int x, int y) {
  WBI_STATUS({
    wbi::check(h > 0 && w > 0, "mask size must be positive, got ", h, "x", w);
    wbi::check(thickness >= 1, "thickness must be at least 1, got ", thickness);
    cv::Mat mask = cv::Mat::zeros(h, w, CV_8UC1);
    cv::putText(mask, text, cv::Point(x, y), font, scale, cv::Scalar(255), thickness, cv::LINE_AA);
    cv::Mat out(h, w, CV_32FC1, dst);
    mask.convertTo(out, CV_32F, 1.0 / 255.0);
  })
}
