// Dense optical flow between gray frames, warping along it, and the forward-backward consistency of a flow pair.
#include <cmath>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "wbv_common.h"

namespace {
// The grid x + flow(x) as remap's absolute maps.
void absolute_maps(const cv::Mat& flow, cv::Mat& map) {
  map.create(flow.size(), CV_32FC2);
  for (int y = 0; y < flow.rows; ++y) {
    const auto* f = flow.ptr<cv::Vec2f>(y);
    auto* m = map.ptr<cv::Vec2f>(y);
    for (int x = 0; x < flow.cols; ++x) m[x] = cv::Vec2f(x + f[x][0], y + f[x][1]);
  }
}
}  // namespace

// Flow from `from` to `to` (gray, height·width bytes): flow(x) is where pixel x of `from` lies in `to`, as
// (dx, dy) float pairs, height·width·2 floats. method 0: DIS medium, 1: DIS fast, 2: Farnebäck.
WBV_API int wbv_flow(const uint8_t* from, const uint8_t* to, int width, int height, int method, float* flow) {
  try {
    cv::Mat a(height, width, CV_8UC1, const_cast<uint8_t*>(from));
    cv::Mat b(height, width, CV_8UC1, const_cast<uint8_t*>(to));
    cv::Mat out(height, width, CV_32FC2, flow);
    out.setTo(0);
    if (method == 2) {
      cv::calcOpticalFlowFarneback(a, b, out, 0.5, 4, 15, 3, 5, 1.2, cv::OPTFLOW_USE_INITIAL_FLOW);
    } else if (method == 0 || method == 1) {
      // A static DIS per thread and preset: creating one allocates its pyramids; frames of one video share a size.
      thread_local cv::Ptr<cv::DISOpticalFlow> dis[2];
      if (!dis[method]) dis[method] = cv::DISOpticalFlow::create(method == 0 ? cv::DISOpticalFlow::PRESET_MEDIUM : cv::DISOpticalFlow::PRESET_FAST);
      dis[method]->calc(a, b, out);
    } else {
      throw std::runtime_error("flow method must be 0 (DIS medium), 1 (DIS fast) or 2 (Farneback)");
    }
    return 0;
  }
  WBV_CATCH(-1)
}

// out(x) = src(x + flow(x)), bilinear, borders replicated: `src` (height·width·channels floats, interleaved) pulled
// back along the flow. With the flow from frame t to t-1, this brings frame t-1's values onto frame t's grid.
WBV_API int wbv_warp(const float* src, int channels, int width, int height, const float* flow, float* out) {
  try {
    if (channels < 1 || channels > 4) throw std::runtime_error("warp takes 1 to 4 channels");
    cv::Mat s(height, width, CV_32FC(channels), const_cast<float*>(src));
    cv::Mat f(height, width, CV_32FC2, const_cast<float*>(flow));
    cv::Mat o(height, width, CV_32FC(channels), out);
    cv::Mat map;
    absolute_maps(f, map);
    cv::remap(s, o, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return 0;
  }
  WBV_CATCH(-1)
}

// How well a flow pair holds at each pixel of frame t: `back` is t → t-1, `forward` is t-1 → t. Going back and then
// forward should return to the start; the test of Sundaram et al. (2010), used by Ruder et al. and Lai et al. (2018):
// |b + f(x + b)|² ≤ 0.01·(|b|² + |f(x + b)|²) + 0.5. Writes exp(-miss/tolerance) per pixel (1 where the pair agrees
// exactly, e^-1 at the test's limit) and returns the fraction of pixels that pass, or -1 on error.
WBV_API double wbv_flow_consistency(const float* back, const float* forward, int width, int height, float* confidence) {
  try {
    cv::Mat b(height, width, CV_32FC2, const_cast<float*>(back));
    cv::Mat f(height, width, CV_32FC2, const_cast<float*>(forward));
    cv::Mat map, fAtB;
    absolute_maps(b, map);
    cv::remap(f, fAtB, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    int64_t pass = 0;
    for (int y = 0; y < height; ++y) {
      const auto* bp = b.ptr<cv::Vec2f>(y);
      const auto* fp = fAtB.ptr<cv::Vec2f>(y);
      float* c = confidence + static_cast<int64_t>(y) * width;
      for (int x = 0; x < width; ++x) {
        float tx = x + bp[x][0], ty = y + bp[x][1];
        bool inside = tx >= 0 && ty >= 0 && tx <= width - 1 && ty <= height - 1;  // a pixel that leaves the frame has no past
        float dx = bp[x][0] + fp[x][0], dy = bp[x][1] + fp[x][1];
        float miss = dx * dx + dy * dy;
        float tolerance = 0.01f * (bp[x].dot(bp[x]) + fp[x].dot(fp[x])) + 0.5f;
        c[x] = inside ? std::exp(-miss / tolerance) : 0.0f;
        if (inside && miss <= tolerance) ++pass;
      }
    }
    return static_cast<double>(pass) / (static_cast<double>(width) * height);
  }
  WBV_CATCH(-1.0)
}

// Resizes a float image (height·width·channels, interleaved) to out_height·out_width, bilinear; `multiply` scales
// the values too (a flow field resized by s must have its vectors scaled by s).
WBV_API int wbv_resize(const float* src, int channels, int width, int height, float* out, int out_width, int out_height, float multiply) {
  try {
    cv::Mat s(height, width, CV_32FC(channels), const_cast<float*>(src));
    cv::Mat o(out_height, out_width, CV_32FC(channels), out);
    cv::resize(s, o, o.size(), 0, 0, cv::INTER_LINEAR);
    if (multiply != 1.0f) o *= multiply;
    return 0;
  }
  WBV_CATCH(-1)
}
