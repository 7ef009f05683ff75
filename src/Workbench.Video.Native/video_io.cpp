// Streaming video IO: one decoded frame in, one encoded frame out, no temporary files (OpenCV videoio with FFmpeg).
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "wbv_common.h"

namespace {
struct Reader {
  cv::VideoCapture capture;
  int width = 0, height = 0;
  int64_t position = 0;  // index of the next frame read returns
  cv::Mat frame;
};

struct Writer {
  cv::VideoWriter writer;
  int width = 0, height = 0;
};
}  // namespace

// Opens a video for reading; its size, frame rate and (container-reported, possibly estimated) frame count.
WBV_API void* wbv_reader_open(const char* path, int* width, int* height, double* fps, int64_t* frame_count) {
  try {
    auto* r = new Reader();
    // CAP_FFMPEG first: it reads every container FFmpeg does and reports the count; CAP_ANY falls back to GStreamer.
    if (!r->capture.open(path, cv::CAP_FFMPEG) && !r->capture.open(path, cv::CAP_ANY)) {
      delete r;
      throw std::runtime_error("cannot open as a video (not a video OpenCV's FFmpeg or GStreamer backend can decode, or not readable)");
    }
    r->width = static_cast<int>(r->capture.get(cv::CAP_PROP_FRAME_WIDTH));
    r->height = static_cast<int>(r->capture.get(cv::CAP_PROP_FRAME_HEIGHT));
    if (r->width <= 0 || r->height <= 0) {
      delete r;
      throw std::runtime_error("the video stream has no frame size (no video track, or a corrupt header)");
    }
    *width = r->width;
    *height = r->height;
    *fps = r->capture.get(cv::CAP_PROP_FPS);
    double count = r->capture.get(cv::CAP_PROP_FRAME_COUNT);
    *frame_count = std::isfinite(count) && count > 0 ? static_cast<int64_t>(count) : -1;
    return r;
  }
  WBV_CATCH(nullptr)
}

// Positions the reader so the next read returns frame `index`: a seek, checked, else decoding and dropping frames.
WBV_API int wbv_reader_seek(void* handle, int64_t index) {
  try {
    auto* r = static_cast<Reader*>(handle);
    if (index == r->position) return 0;
    if (index > r->position && r->capture.set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(index)) &&
        static_cast<int64_t>(r->capture.get(cv::CAP_PROP_POS_FRAMES)) == index) {
      r->position = index;
      return 0;
    }
    if (index < r->position) throw std::runtime_error("the reader only moves forward");
    while (r->position < index) {
      if (!r->capture.grab()) throw std::runtime_error("the video ends before frame " + std::to_string(index));
      ++r->position;
    }
    return 0;
  }
  WBV_CATCH(-1)
}

// Decodes the next frame into `bgr` (height·width·3 bytes, BGR): 1 = a frame, 0 = the stream ended, -1 = error.
WBV_API int wbv_reader_read(void* handle, uint8_t* bgr) {
  try {
    auto* r = static_cast<Reader*>(handle);
    if (!r->capture.read(r->frame) || r->frame.empty()) return 0;
    if (r->frame.cols != r->width || r->frame.rows != r->height)
      throw std::runtime_error("frame " + std::to_string(r->position) + " has size " + std::to_string(r->frame.cols) + "x" +
                               std::to_string(r->frame.rows) + ", the stream's is " + std::to_string(r->width) + "x" + std::to_string(r->height));
    cv::Mat out(r->height, r->width, CV_8UC3, bgr);
    if (r->frame.type() == CV_8UC3) r->frame.copyTo(out);
    else if (r->frame.type() == CV_8UC1) cv::cvtColor(r->frame, out, cv::COLOR_GRAY2BGR);
    else throw std::runtime_error("frame " + std::to_string(r->position) + " is not 8-bit BGR or gray");
    ++r->position;
    return 1;
  }
  WBV_CATCH(-1)
}

WBV_API void wbv_reader_close(void* handle) { delete static_cast<Reader*>(handle); }

// Opens an encoder; `fourcc` is four characters (mp4v, MJPG, ...). Fails when no backend can write that pair.
WBV_API void* wbv_writer_open(const char* path, const char* fourcc, double fps, int width, int height) {
  try {
    if (std::string(fourcc).size() != 4) throw std::runtime_error(std::string("fourcc must be 4 characters, got '") + fourcc + "'");
    auto* w = new Writer();
    w->width = width;
    w->height = height;
    int code = cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]);
    if (!w->writer.open(path, cv::CAP_FFMPEG, code, fps, cv::Size(width, height), true)) {
      delete w;
      throw std::runtime_error(std::string("cannot open a ") + fourcc + " encoder for this file (is the extension a container FFmpeg writes?)");
    }
    return w;
  }
  WBV_CATCH(nullptr)
}

// Encodes one BGR frame (height·width·3 bytes).
WBV_API int wbv_writer_write(void* handle, const uint8_t* bgr) {
  try {
    auto* w = static_cast<Writer*>(handle);
    cv::Mat frame(w->height, w->width, CV_8UC3, const_cast<uint8_t*>(bgr));
    w->writer.write(frame);
    return 0;
  }
  WBV_CATCH(-1)
}

// Flushes the encoder and writes the container's trailer (index, moov atom): the file is playable after this.
WBV_API void wbv_writer_close(void* handle) {
  auto* w = static_cast<Writer*>(handle);
  if (w) w->writer.release();
  delete w;
}
