// 8-bit resizing for dataset preparation (Workbench.Data.DatasetPreparation). Cutting crops at 1, 1/2, 1/4...
// stays in uint8 HWC from decode to PNG encode, as Pillow does, instead of a float CHW round trip: four
// times less memory and no conversions. The interpolation is chosen in C#.
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "wb_common.h"

// cv::resize of a contiguous (H, W, C) uint8 CPU tensor, C in 1..4, to (h, w, C) with an OpenCV interpolation
// flag (INTER_AREA = 3 averages exactly the covered source pixels when shrinking).
WB_API Tensor wb_dataprep_resize_u8(Tensor hwc, int64_t h, int64_t w, int interpolation) {
  try {
    TORCH_CHECK(hwc->dim() == 3 && hwc->scalar_type() == at::kByte, "expected an (H, W, C) uint8 tensor");
    TORCH_CHECK(hwc->size(2) >= 1 && hwc->size(2) <= 4, "expected 1 to 4 channels, got ", hwc->size(2));
    TORCH_CHECK(h > 0 && w > 0, "target size must be positive, got ", h, "x", w);
    auto src = hwc->detach().to(at::kCPU).contiguous();
    const int c = static_cast<int>(src.size(2));
    auto out = at::empty({h, w, src.size(2)}, src.options());
    cv::Mat s(static_cast<int>(src.size(0)), static_cast<int>(src.size(1)), CV_8UC(c), src.data_ptr());
    cv::Mat d(static_cast<int>(h), static_cast<int>(w), CV_8UC(c), out.data_ptr());
    cv::resize(s, d, d.size(), 0, 0, interpolation);
    return wb::wrap(std::move(out));
  }
  WB_CATCH(nullptr)
}

