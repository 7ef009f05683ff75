// Error state and memory release, shared by every area.
#include "wbi_common.h"

#include <cstdlib>
#include <string>

#include <opencv2/core.hpp>

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

namespace wbi {
void set_error_from_current_exception() {
  try {
    throw;
  } catch (const cv::Exception& e) {
    last_error = e.what();  // "OpenCV(4.x) file:line: error: (code) message in function ..."
  } catch (const std::exception& e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown native exception";
  }
  has_error = true;
}
}  // namespace wbi

// Returns the pending error message (and clears it), or null when the last call succeeded.
WBI_API const char* wbi_last_error() {
  if (!has_error) return nullptr;
  has_error = false;
  return last_error.c_str();
}

// Frees memory this library malloc'd for the caller (wbi_image_encode's bytes).
WBI_API void wbi_free(void* p) { std::free(p); }
