#include "wbv_common.h"

#include <exception>
#include <string>

#include <opencv2/core.hpp>

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

void wbv::set_error(const char* message) {
  last_error = message;
  has_error = true;
}

void wbv::set_error_from_current_exception() {
  try {
    throw;
  } catch (const cv::Exception& e) {
    // cv::Exception::what() repeats file and line; err plus func is what a user can act on.
    set_error((e.err + " (" + e.func + ")").c_str());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown native error");
  }
}

// The pending error message (null when none), cleared by reading it.
WBV_API const char* wbv_last_error() {
  if (!has_error) return nullptr;
  has_error = false;
  return last_error.c_str();
}
