#pragma once
// RFC 3339 timestamps as the States Language takes them ("2016-03-14T01:59:00Z",
// "2016-03-14T01:59:00.123+02:00"): an uppercase 'T', and 'Z' or a numeric offset.
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batchd::asl {

using TimePoint = std::chrono::system_clock::time_point;

// An instant written outside TimePoint's range (about 1678-2262: nanoseconds in 64 bits) is
// clamped to TimePoint's min or max, which keeps its order relative to any clock reading (a
// Wait until 9999-12-31 still waits, one until 1066 does not). Compare with ParseInstant.
std::optional<TimePoint> ParseTimestamp(std::string_view text);

// The same instant, exact over every year RFC 3339 can write (0000-9999): Choice rules compare
// these, so "9999-12-31T23:59:59Z" and "9999-12-31T23:59:58Z" stay apart.
struct Instant {
  int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  int32_t nanos = 0;    // [0, 1e9)
  auto operator<=>(const Instant&) const = default;
};
std::optional<Instant> ParseInstant(std::string_view text);

// "2026-12-07T20:04:59.123Z": UTC with milliseconds, as the context object and history show.
std::string FormatTimestamp(TimePoint t);

}  // namespace batchd::asl
