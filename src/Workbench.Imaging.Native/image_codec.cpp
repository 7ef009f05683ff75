// Image decode/encode through OpenCV's imgcodecs, on raw HWC pixel buffers in RGB(A) order.
// Format sniffing, size limits, EXIF orientation and colour-mode policy live in C# (Workbench.Data): here only the
// pixel work. Every function is reentrant: cv::imdecode/imencode build a fresh codec per call, so a data loader may
// decode on many threads at once.
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "wbi_common.h"

// A decoded image owned by the caller until wbi_image_free: contiguous HWC pixels.
struct wbi_image {
  cv::Mat pixels;
};

namespace {
// OpenCV keeps colour images as BGR(A); our pixels are RGB(A). Swaps red and blue where there are at least three
// channels; one- and two-channel images are shared as they are (no copy).
cv::Mat bgr_to_rgb(const cv::Mat& src) {
  cv::Mat dst;
  switch (src.channels()) {
    case 3: cv::cvtColor(src, dst, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(src, dst, cv::COLOR_BGRA2RGBA); break;
    default: dst = src; break;
  }
  return dst;
}
}  // namespace

// Decodes an encoded image held in memory into HWC pixels with 1..4 channels in RGB(A) order, exactly as stored (no
// EXIF rotation, alpha kept): CV_8U for 8-bit files, CV_16U for 16-bit ones, CV_32F for floating-point TIFFs.
// Returns null on failure (wbi_last_error says why).
WBI_API wbi_image* wbi_image_decode(const uint8_t* data, int64_t size) {
  try {
    wbi::check(size > 0, "the data is empty");
    wbi::check(size <= INT_MAX, "the encoded data is larger than 2 GiB");
    cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<uint8_t*>(data));
    cv::Mat image = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
    wbi::check(!image.empty(), "the decoder rejected the data (corrupt, truncated or an unsupported variant)");
    const int channels = image.channels();
    wbi::check(channels >= 1 && channels <= 4, "unsupported channel count ", channels);
    const int depth = image.depth();
    wbi::check(depth == CV_8U || depth == CV_16U || depth == CV_32F, "unsupported sample type (OpenCV depth ", depth, ")");
    auto out = std::make_unique<wbi_image>();
    out->pixels = bgr_to_rgb(image);
    if (!out->pixels.isContinuous()) out->pixels = out->pixels.clone();
    return out.release();
  }
  WBI_CATCH(nullptr)
}

// The pixels of a decoded image (row-major HWC, valid until wbi_image_free) and their shape and OpenCV depth.
WBI_API const void* wbi_image_pixels(const wbi_image* image, int* height, int* width, int* channels, int* depth) {
  *height = image->pixels.rows;
  *width = image->pixels.cols;
  *channels = image->pixels.channels();
  *depth = image->pixels.depth();
  return image->pixels.data;
}

// Converts the decoded pixels in place to another OpenCV depth, values unchanged (16-bit samples to CV_32S for
// libtorch, which has no uint16).
WBI_API int wbi_image_convert(wbi_image* image, int depth) {
  WBI_STATUS({
    wbi::check(depth == CV_8U || depth == CV_16U || depth == CV_32S || depth == CV_32F, "unsupported target depth ", depth);
    if (image->pixels.depth() != depth) {
      cv::Mat converted;
      image->pixels.convertTo(converted, depth);
      image->pixels = converted;
    }
  })
}

WBI_API void wbi_image_free(wbi_image* image) { delete image; }

// Encodes contiguous HWC pixels with 1, 3 or 4 channels in RGB(A) order: CV_8U samples, or 16-bit samples as CV_16U
// or as CV_32S holding 0..65535. `ext` picks the codec (".png", ".jpg", ".webp", ".bmp", ".tiff"); `params` are
// OpenCV's (flag, value) pairs. On success *bytes is the malloc'd file (free with wbi_free) and *size its length.
WBI_API int wbi_image_encode(const void* pixels, int height, int width, int channels, int depth, const char* ext,
                             const int* params, int nparams, uint8_t** bytes, int64_t* size) {
  WBI_STATUS({
    wbi::check(height > 0 && width > 0, "image size must be positive, got ", width, "x", height);
    wbi::check(channels == 1 || channels == 3 || channels == 4, "images have 1, 3 or 4 channels, got ", channels);
    wbi::check(depth == CV_8U || depth == CV_16U || depth == CV_32S, "expected 8-bit or 16-bit samples (OpenCV depth 0, 2 or 4), got depth ", depth);
    cv::Mat image(height, width, CV_MAKETYPE(depth, channels), const_cast<void*>(pixels));
    if (depth == CV_32S) image.convertTo(image, CV_16U);
    cv::Mat bgr;
    switch (channels) {
      case 3: cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR); break;
      case 4: cv::cvtColor(image, bgr, cv::COLOR_RGBA2BGRA); break;
      default: bgr = image; break;
    }
    std::vector<int> p(params, params + nparams);
    std::vector<uchar> encoded;
    wbi::check(cv::imencode(ext, bgr, encoded, p), "OpenCV could not encode the image as ", ext);
    auto* out = static_cast<uint8_t*>(std::malloc(encoded.empty() ? 1 : encoded.size()));
    wbi::check(out != nullptr, "out of memory for ", encoded.size(), " encoded bytes");
    std::memcpy(out, encoded.data(), encoded.size());
    *bytes = out;
    *size = static_cast<int64_t>(encoded.size());
  })
}
