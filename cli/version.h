#pragma once

namespace batchd::cli {

extern const char* const kVersion;

}  // namespace batchd::cli
