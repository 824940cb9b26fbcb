#include "cli/version.h"

namespace batchd::cli {

// Set by CMake, so a rebuild of one file is all a version bump costs.
const char* const kVersion = BATCHCTL_VERSION;

}  // namespace batchd::cli
