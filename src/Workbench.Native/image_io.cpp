// Image decode/encode through OpenCV's imgcodecs, and the HWC integer <-> CHW float conversions in ATen.
// Format sniffing, size limits, EXIF orientation and colour-mode policy live in C# (Workbench.Data):
// here only the pixel work. Every function is reentrant: cv::imdecode/imencode build a fresh codec per
// call, so a data loader may decode on many threads at once.
#include <climits>
#include <cstring>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "wb_common.h"

namespace {
// OpenCV keeps colour images as BGR(A); our tensors are RGB(A). Converts `src` into `dst` (same depth and
// channel count), swapping red and blue where there are at least three channels.
void bgr_to_rgb(const cv::Mat& src, cv::Mat& dst) {
  switch (src.channels()) {
    case 3: cv::cvtColor(src, dst, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(src, dst, cv::COLOR_BGRA2RGBA); break;
    default: src.copyTo(dst); break;
  }
}

// A Mat header over a contiguous CPU tensor's memory (no copy).
cv::Mat mat_over(const at::Tensor& t, int cv_depth) {
  auto c = static_cast<int>(t.size(2));
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_MAKETYPE(cv_depth, c), t.data_ptr());
}
}  // namespace

// Decodes an encoded image held in memory into a HWC tensor with 1..4 channels in RGB(A) order, exactly as
// stored (no EXIF rotation, alpha kept): uint8 for 8-bit files, int32 holding 0..65535 for 16-bit files
// (libtorch 1.13 has no uint16), float32 for floating-point TIFFs.
WB_API Tensor wb_image_decode(const uint8_t* data, int64_t size) {
  try {
    TORCH_CHECK(size > 0, "the data is empty");
    TORCH_CHECK(size <= INT_MAX, "the encoded data is larger than 2 GiB");
    cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<uint8_t*>(data));
    cv::Mat image = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
    TORCH_CHECK(!image.empty(), "the decoder rejected the data (corrupt, truncated or an unsupported variant)");
    const int channels = image.channels();
    TORCH_CHECK(channels >= 1 && channels <= 4, "unsupported channel count ", channels);
    const int64_t h = image.rows, w = image.cols;
    switch (image.depth()) {
      case CV_8U: {
        auto out = at::empty({h, w, channels}, at::kByte);
        cv::Mat dst = mat_over(out, CV_8U);
        bgr_to_rgb(image, dst);
        return wb::wrap(std::move(out));
      }
      case CV_16U: {
        cv::Mat rgb;
        bgr_to_rgb(image, rgb);
        auto out = at::empty({h, w, channels}, at::kInt);
        cv::Mat dst = mat_over(out, CV_32S);
        rgb.convertTo(dst, CV_32S);
        return wb::wrap(std::move(out));
      }
      case CV_32F: {
        auto out = at::empty({h, w, channels}, at::kFloat);
        cv::Mat dst = mat_over(out, CV_32F);
        bgr_to_rgb(image, dst);
        return wb::wrap(std::move(out));
      }
      default:
        TORCH_CHECK(false, "unsupported sample type (OpenCV depth ", image.depth(), ")");
    }
  }
  WB_CATCH(nullptr)
}

// HWC (uint8, int32 or float, any strides, any device) -> contiguous CHW float32, multiplied by `scale`
// (1/255 for 8-bit, 1/65535 for 16-bit): one strided copy plus one in-place multiply.
WB_API Tensor wb_image_to_chw_float(Tensor hwc, double scale) {
  try {
    TORCH_CHECK(hwc->dim() == 3, "expected a HWC tensor, got ", hwc->dim(), " dimensions");
    auto out = at::empty({hwc->size(2), hwc->size(0), hwc->size(1)}, hwc->options().dtype(at::kFloat));
    out.copy_(hwc->permute({2, 0, 1}));
    if (scale != 1.0) out.mul_(scale);
    return wb::wrap(std::move(out));
  }
  WB_CATCH(nullptr)
}

// CHW float in [0, 1] -> contiguous HWC CPU integers: clamp, scale by `max_value` (255 or 65535), round
// half to even, and store as `dtype` (uint8, or int32 for 16-bit samples).
WB_API Tensor wb_image_from_chw_float(Tensor chw, double max_value, int dtype) {
  try {
    TORCH_CHECK(chw->dim() == 3, "expected a CHW tensor, got ", chw->dim(), " dimensions");
    auto scaled = chw->detach().to(at::kCPU, at::kFloat).clamp(0.0, 1.0).mul_(max_value).round_();
    auto out = at::empty({chw->size(1), chw->size(2), chw->size(0)}, at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    out.copy_(scaled.permute({1, 2, 0}));
    return wb::wrap(std::move(out));
  }
  WB_CATCH(nullptr)
}

// Encodes a contiguous HWC uint8 (8-bit) or int32 (16-bit samples, 0..65535) CPU tensor with 1, 3 or 4
// channels in RGB(A) order. `ext` picks the codec (".png", ".jpg", ".webp", ".bmp", ".tiff"); `params`
// are OpenCV's (flag, value) pairs. Returns the encoded file as a 1-D uint8 tensor.
WB_API Tensor wb_image_encode(Tensor hwc, const char* ext, const int* params, int nparams) {
  try {
    TORCH_CHECK(hwc->dim() == 3 && hwc->is_contiguous() && hwc->device().is_cpu(), "expected a contiguous HWC CPU tensor");
    const int channels = static_cast<int>(hwc->size(2));
    TORCH_CHECK(channels == 1 || channels == 3 || channels == 4, "images have 1, 3 or 4 channels, got ", channels);
    cv::Mat image;
    if (hwc->scalar_type() == at::kByte) {
      image = mat_over(*hwc, CV_8U);
    } else {
      TORCH_CHECK(hwc->scalar_type() == at::kInt, "expected uint8 or int32 (16-bit) samples");
      mat_over(*hwc, CV_32S).convertTo(image, CV_16U);
    }
    cv::Mat bgr;
    switch (channels) {
      case 3: cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR); break;
      case 4: cv::cvtColor(image, bgr, cv::COLOR_RGBA2BGRA); break;
      default: bgr = image; break;
    }
    std::vector<int> p(params, params + nparams);
    std::vector<uchar> bytes;
    TORCH_CHECK(cv::imencode(ext, bgr, bytes, p), "OpenCV could not encode the image as ", ext);
    auto out = at::empty({static_cast<int64_t>(bytes.size())}, at::kByte);
    std::memcpy(out.data_ptr(), bytes.data(), bytes.size());
    return wb::wrap(std::move(out));
  }
  WB_CATCH(nullptr)
}
