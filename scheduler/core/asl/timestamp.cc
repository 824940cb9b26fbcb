#include "core/asl/timestamp.h"

#include <cstdint>
#include <cstdio>

namespace batchd::asl {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// A cursor over the text. Any mismatch fails the whole parse, so nothing ever rewinds.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  bool Literal(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  // Exactly `width` ASCII digits; RFC 3339 fields are fixed width, so "2016-3-14" is refused.
  bool Digits(int width, int& out) {
    if (text_.size() - pos_ < static_cast<size_t>(width)) return false;
    int value = 0;
    for (int i = 0; i < width; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    pos_ += width;
    out = value;
    return true;
  }

  // One or more digits after the '.', as nanoseconds: digits past the ninth are below the
  // clock's resolution and are dropped rather than rounded, so a parsed instant never moves
  // into the next second.
  bool Fraction(nanoseconds& out) {
    int64_t value = 0;
    int count = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      if (count < 9) value = value * 10 + (text_[pos_] - '0');
      ++count;
      ++pos_;
    }
    if (count == 0) return false;
    for (int i = count; i < 9; ++i) value *= 10;
    out = nanoseconds(value);
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<Instant> ParseInstant(std::string_view text) {
  Reader in(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!in.Digits(4, year) || !in.Literal('-') || !in.Digits(2, month) || !in.Literal('-') ||
      !in.Digits(2, day) || !in.Literal('T') || !in.Digits(2, hour) || !in.Literal(':') ||
      !in.Digits(2, minute) || !in.Literal(':') || !in.Digits(2, second)) {
    return std::nullopt;
  }
  nanoseconds fraction{0};
  if (in.Literal('.') && !in.Fraction(fraction)) return std::nullopt;

  int64_t offset_seconds = 0;
  if (!in.Literal('Z')) {
    const char sign = in.Peek();
    if (sign != '+' && sign != '-') return std::nullopt;
    in.Literal(sign);
    int offset_hours = 0, offset_minutes = 0;
    if (!in.Digits(2, offset_hours) || !in.Literal(':') || !in.Digits(2, offset_minutes)) {
      return std::nullopt;
    }
    if (offset_hours > 23 || offset_minutes > 59) return std::nullopt;
    offset_seconds = (offset_hours * 60 + offset_minutes) * 60;
    if (sign == '-') offset_seconds = -offset_seconds;
  }
  if (!in.AtEnd()) return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  // ok() refuses month 13 and day 30 of February (leap years included).
  if (!date.ok()) return std::nullopt;
  // A leap second (":60") is refused: AWS's Java parser does not take it either, and the
  // instant it names would only be folded into the next minute.
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;

  const int64_t day_number = std::chrono::sys_days(date).time_since_epoch().count();
  Instant instant;
  // "+02:00" means the wall clock is two hours ahead of UTC.
  instant.seconds = day_number * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  instant.nanos = static_cast<int32_t>(fraction.count());
  return instant;
}

std::optional<TimePoint> ParseTimestamp(std::string_view text) {
  const auto instant = ParseInstant(text);
  if (!instant) return std::nullopt;
  using Duration = TimePoint::duration;
  constexpr int64_t kMaxSeconds =
      std::chrono::floor<seconds>(TimePoint::max()).time_since_epoch().count();
  constexpr int64_t kMinSeconds =
      std::chrono::floor<seconds>(TimePoint::min()).time_since_epoch().count();
  // The last whole second at either end is clamped too: with its fraction it may not fit.
  if (instant->seconds >= kMaxSeconds) return TimePoint::max();
  if (instant->seconds <= kMinSeconds) return TimePoint::min();
  return TimePoint(std::chrono::duration_cast<Duration>(seconds(instant->seconds)) +
                   std::chrono::duration_cast<Duration>(nanoseconds(instant->nanos)));
}

std::string FormatTimestamp(TimePoint t) {
  // floor, not truncation toward zero, so instants before 1970 still print their own second.
  const auto ms = std::chrono::floor<milliseconds>(t);
  const auto day = std::chrono::floor<days>(ms);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss<milliseconds> time(ms - day);
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02lld.%03lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()),
                static_cast<long long>(time.subseconds().count()));
  return buffer;
}

}  // namespace batchd::asl
