// Image decode/encode through OpenCV's imgcodecs, on raw HWC pixel buffers in RGB(A) order.
// Format sniffing, size limits, EXIF orientation and colour-mode policy live in C# (Workbench.Data): here only the
// pixel work. Every function is reentrant: cv::imdecode/imencode build a fresh codec per call, so a data loader may
// decode on many threads at once.
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "wbi_common.h"

// A decoded image owned by the caller until wbi_image_free: the pixels as OpenCV decoded them (BGR order).
struct wbi_image {
  cv::Mat pixels;
};

namespace {
// OpenCV keeps colour images as BGR(A); our pixels are RGB(A). Converts `src` into `dst` (same depth and channel
// count; an existing `dst` of that size and type is written in place), swapping red and blue where there are at
// least three channels.
void bgr_to_rgb(const cv::Mat& src, cv::Mat& dst) {
  switch (src.channels()) {
    case 3: cv::cvtColor(src, dst, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(src, dst, cv::COLOR_BGRA2RGBA); break;
    default: src.copyTo(dst); break;
  }
}
}  // namespace

// Decodes an encoded image held in memory, exactly as stored (no EXIF rotation, alpha kept): 1..4 channels of CV_8U
// (8-bit files), CV_16U (16-bit) or CV_32F (floating-point TIFFs). wbi_image_info gives its shape, wbi_image_read
// copies its pixels out. Returns null on failure (wbi_last_error says why).
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
    return new wbi_image{image};
  }
  WBI_CATCH(nullptr)
}

WBI_API void wbi_image_info(const wbi_image* image, int* height, int* width, int* channels, int* depth) {
  *height = image->pixels.rows;
  *width = image->pixels.cols;
  *channels = image->pixels.channels();
  *depth = image->pixels.depth();
}

// Writes the decoded pixels into `dst` (row-major HWC, `dst_bytes` long) in RGB(A) order, as OpenCV depth `depth`:
// the stored one, or CV_32S for 16-bit samples (libtorch has no uint16). The caller's buffer is typically a tensor's
// memory, so the pixels are converted once, straight into place.
WBI_API int wbi_image_read(const wbi_image* image, void* dst, int64_t dst_bytes, int depth) {
  WBI_STATUS({
    const cv::Mat& src = image->pixels;
    wbi::check(depth == src.depth() || (src.depth() == CV_16U && depth == CV_32S), "cannot read OpenCV depth ", src.depth(), " as depth ", depth);
    const int type = CV_MAKETYPE(depth, src.channels());
    const int64_t needed = static_cast<int64_t>(src.total()) * CV_ELEM_SIZE(type);
    wbi::check(dst_bytes == needed, "the destination holds ", dst_bytes, " bytes but the image needs ", needed);
    cv::Mat out(src.rows, src.cols, type, dst);
    if (depth == src.depth()) {
      bgr_to_rgb(src, out);
    } else {
      cv::Mat rgb;
      bgr_to_rgb(src, rgb);
      rgb.convertTo(out, depth);
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
