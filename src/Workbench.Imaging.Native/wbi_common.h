// Shared plumbing for the imaging C ABI: the export macro, the one error macro, and argument checks.
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>

#define WBI_API extern "C" __attribute__((visibility("default")))

// OpenCV depths (CV_8U, CV_16U, CV_32S, CV_32F, CV_64F) name the sample type of every pixel buffer in this ABI.

namespace wbi {
void set_error_from_current_exception();

// Throws std::invalid_argument with the parts concatenated when `ok` is false (what TORCH_CHECK did in the shim).
template <typename... Parts>
void check(bool ok, const Parts&... parts) {
  if (ok) return;
  std::ostringstream message;
  (message << ... << parts);
  throw std::invalid_argument(message.str());
}
}  // namespace wbi

// Every exported function ends its body with this: C++ exceptions never cross the ABI; the message is kept per
// thread for wbi_last_error().
#define WBI_CATCH(fail_value)                 \
  catch (...) {                               \
    wbi::set_error_from_current_exception();  \
    return fail_value;                        \
  }
#define WBI_STATUS(stmt) \
  try {                  \
    stmt;                \
    return 0;            \
  }                      \
  WBI_CATCH(-1)
