#pragma once
// Small text and file helpers every program of batchd needs: trimming what people and
// scripts write, reading whole files, and the wall clock as the API's timestamps.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace batchd::api {

// Without leading and trailing spaces, tabs and line ends.
std::string Trimmed(std::string_view text);

// The first line that is not blank, trimmed; "" when there is none.
std::string FirstLine(std::string_view text);

// The whole file; nullopt when it cannot be opened or read.
std::optional<std::string> ReadTextFile(const std::filesystem::path& path);

// Now, in epoch milliseconds: the unit of every timestamp in the API.
inline int64_t EpochMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace batchd::api
