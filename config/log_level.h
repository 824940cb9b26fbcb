#pragma once
// The log levels of batchd and batch-agent (config::LogLevels) as spdlog's.
#include <spdlog/spdlog.h>

#include <string>

namespace batchd::config {

inline spdlog::level::level_enum SpdlogLevel(const std::string& name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "warn") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "critical") return spdlog::level::critical;
  if (name == "off") return spdlog::level::off;
  return spdlog::level::info;
}

}  // namespace batchd::config
