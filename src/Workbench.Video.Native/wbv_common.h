// Shared plumbing for the video C ABI: the export macro and the one error macro.
#pragma once

#include <cstdint>

#define WBV_API extern "C" __attribute__((visibility("default")))

namespace wbv {
void set_error(const char* message);
void set_error_from_current_exception();
}  // namespace wbv

// Every exported function ends its body with this: C++ exceptions never cross the ABI; the message is kept per
// thread for wbv_last_error(), and managed code turns it into an exception in one helper.
#define WBV_CATCH(fail_value)                  \
  catch (...) {                                \
    wbv::set_error_from_current_exception();   \
    return fail_value;                         \
  }
