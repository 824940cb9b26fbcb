#pragma once
// Cron expressions and when they fire. Standard five fields (minute hour day-of-month month
// day-of-week) or six with seconds first; ranges, lists, steps, JAN..DEC and SUN..SAT; Vixie
// cron's rule that a day matches either day field when both are restricted; the macros
// @yearly @monthly @weekly @daily @hourly; and "@every 90s" intervals.
//
// Fire times are local times in the schedule's time zone. Across daylight-saving changes:
// a local time that does not exist (spring forward) fires at the first instant after the gap,
// and a local time that occurs twice (fall back) fires once, at its first occurrence.
#include <bitset>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace batchd::core {

// What is wrong with an expression, naming the field ("field 2 (hour): ...").
class CronSyntaxError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The IANA time zone called `name` ("" and "UTC" are UTC). Throws std::invalid_argument.
const date::time_zone* FindTimeZone(std::string_view name);

class CronSchedule {
 public:
  // Throws CronSyntaxError.
  static CronSchedule Parse(std::string_view expression);

  // The first fire time strictly after `after_ms` (epoch ms), or nullopt when there is none
  // within 30 years (e.g. "0 0 30 2 *"). An "@every" interval counts from `anchor_ms`.
  std::optional<int64_t> NextAfter(int64_t after_ms, const date::time_zone* zone,
                                   int64_t anchor_ms = 0) const;

  bool is_interval() const { return interval_ms_ > 0; }
  int64_t interval_ms() const { return interval_ms_; }

 private:
  bool DayMatches(int day_of_month, int weekday) const;

  std::bitset<60> seconds_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_star_ = false;   // the field started with '*': Vixie cron then ANDs the two
  bool weekdays_star_ = false;
  int64_t interval_ms_ = 0;
};

}  // namespace batchd::core
