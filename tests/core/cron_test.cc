#include "core/cron.h"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <cstdio>

namespace batchd::core {
namespace {

// "2026-01-31T23:59:00Z" in epoch ms.
int64_t At(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  EXPECT_EQ(std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s), 6) << iso;
  const auto day = date::sys_days{date::year{y} / mo / d};
  const auto t = day + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string Iso(std::optional<int64_t> ms) {
  if (!ms) return "never";
  return date::format("%FT%TZ", date::sys_seconds{std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::milliseconds(*ms))});
}

std::string Next(const std::string& expr, const std::string& after, const std::string& zone = "") {
  return Iso(CronSchedule::Parse(expr).NextAfter(At(after), FindTimeZone(zone)));
}

TEST(Cron, NextFireTimes) {
  struct Case {
    const char* expr;
    const char* after;
    const char* zone;
    const char* next;
  };
  // 2026-11-25 is a Wednesday.
  for (const auto& c : std::vector<Case>{
           {"*/15 * * * *", "2026-01-01T00:07:30Z", "", "2026-01-01T00:15:00Z"},
           {"*/15 * * * *", "2026-01-01T00:15:00Z", "", "2026-01-01T00:30:00Z"},
           {"0 0 31 * *", "2026-01-31T00:00:00Z", "", "2026-03-31T00:00:00Z"},
           {"59 23 31 12 *", "2026-06-01T00:00:00Z", "", "2026-12-31T23:59:00Z"},
           {"0 12 29 2 *", "2026-03-01T00:00:00Z", "", "2028-02-29T12:00:00Z"},
           {"0 0 1 jan *", "2026-06-01T00:00:00Z", "", "2027-01-01T00:00:00Z"},
           {"30 9 * * MON-FRI", "2026-11-27T10:00:00Z", "", "2026-11-30T09:30:00Z"},
           {"0 8-18/5 * * *", "2026-11-25T09:00:00Z", "", "2026-11-25T13:00:00Z"},
           {"0 8/5 * * *", "2026-11-25T19:00:00Z", "", "2026-11-25T23:00:00Z"},
           {"0 8/5 * * *", "2026-11-25T23:00:00Z", "", "2026-11-26T08:00:00Z"},
           {"5,10,50 * * * *", "2026-11-25T09:10:00Z", "", "2026-11-25T09:50:00Z"},
           // Both day fields restricted: either matches (the 13th, or any Friday).
           {"0 0 13 * FRI", "2026-11-25T12:00:00Z", "", "2026-11-27T00:00:00Z"},
           // A day field starting with '*' is ANDed: an odd day that is a Monday.
           {"0 0 */2 * MON", "2026-11-25T12:00:00Z", "", "2026-12-07T00:00:00Z"},
           {"0 0 * * 7", "2026-11-25T12:00:00Z", "", "2026-11-29T00:00:00Z"},
           {"*/10 * * * * *", "2026-11-25T00:00:05Z", "", "2026-11-25T00:00:10Z"},
           {"30 0 0 1 * *", "2026-11-25T00:00:00Z", "", "2026-12-01T00:00:30Z"},
           {"@hourly", "2026-11-25T10:15:00Z", "", "2026-11-25T11:00:00Z"},
           {"@daily", "2026-11-25T10:15:00Z", "", "2026-11-26T00:00:00Z"},
           {"@weekly", "2026-11-25T10:15:00Z", "", "2026-11-29T00:00:00Z"},
           {"@monthly", "2026-11-25T10:15:00Z", "", "2026-12-01T00:00:00Z"},
           {"@yearly", "2026-11-25T10:15:00Z", "", "2027-01-01T00:00:00Z"},
           {"0 9 * * *", "2026-11-25T00:00:00Z", "Europe/Paris", "2026-11-25T08:00:00Z"},
           {"0 9 * * *", "2026-07-01T00:00:00Z", "Europe/Paris", "2026-07-01T07:00:00Z"},
           {"0 0 * * *", "2026-11-25T00:00:00Z", "Asia/Tokyo", "2026-11-25T15:00:00Z"},
           // New York springs forward on 2026-03-08 at 02:00: 02:30 does not exist that day,
           // so it fires at 03:00 EDT, the first instant after the gap; then as usual.
           {"30 2 * * *", "2026-03-08T05:00:00Z", "America/New_York", "2026-03-08T07:00:00Z"},
           {"30 2 * * *", "2026-03-08T07:00:00Z", "America/New_York", "2026-03-09T06:30:00Z"},
           // Every minute of the gap collapses into that one instant.
           {"* 2 * * *", "2026-03-08T06:59:00Z", "America/New_York", "2026-03-08T07:00:00Z"},
           // It falls back on 2026-11-01 at 02:00: 01:30 happens twice and fires once.
           {"30 1 * * *", "2026-11-01T04:00:00Z", "America/New_York", "2026-11-01T05:30:00Z"},
           {"30 1 * * *", "2026-11-01T05:30:00Z", "America/New_York", "2026-11-02T06:30:00Z"},
           {"30 1 * * *", "2026-11-01T06:10:00Z", "America/New_York", "2026-11-02T06:30:00Z"},
           {"*/30 * * * *", "2026-11-01T05:30:00Z", "America/New_York", "2026-11-01T07:00:00Z"},
           {"0 0 30 2 *", "2026-01-01T00:00:00Z", "", "never"},
       }) {
    EXPECT_EQ(Next(c.expr, c.after, c.zone), c.next)
        << c.expr << " after " << c.after << " in " << (*c.zone ? c.zone : "UTC");
  }
}

TEST(Cron, EveryCountsFromItsAnchor) {
  auto every = CronSchedule::Parse("@every 90s");
  EXPECT_TRUE(every.is_interval());
  EXPECT_EQ(every.interval_ms(), 90'000);
  EXPECT_EQ(every.NextAfter(100'000, nullptr, 10'000), 190'000);
  EXPECT_EQ(every.NextAfter(190'000, nullptr, 10'000), 280'000);
  EXPECT_EQ(every.NextAfter(5'000, nullptr, 10'000), 10'000) << "the first run is the anchor";
  EXPECT_EQ(CronSchedule::Parse("@every 1h30m").interval_ms(), 5'400'000);
  EXPECT_EQ(CronSchedule::Parse("@every 2d").interval_ms(), 172'800'000);
}

TEST(Cron, BadExpressionsNameTheirField) {
  struct Case {
    const char* expr;
    const char* error;
  };
  for (const auto& c : std::vector<Case>{
           {"* * *",
            "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds "
            "first), got 3"},
           {"",
            "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds "
            "first), got 0"},
           {"60 * * * *", "field 1 (minute): 60 is outside 0-59"},
           {"* 24 * * *", "field 2 (hour): 24 is outside 0-23"},
           {"* * 0 * *", "field 3 (day-of-month): 0 is outside 1-31"},
           {"* * * FOO *", "field 4 (month): \"FOO\" is not a month (1-12 or JAN-DEC)"},
           {"* * * * 8", "field 5 (day-of-week): 8 is outside 0-7"},
           {"* * * * SUNDAY",
            "field 5 (day-of-week): \"SUNDAY\" is not a day-of-week (0-7 or "
            "SUN-SAT)"},
           {"*/0 * * * *",
            "field 1 (minute): the step in \"*/0\" must be a whole number of 1 or more"},
           {"5-1 * * * *", "field 1 (minute): the range \"5-1\" runs backwards"},
           {"1,,2 * * * *", "field 1 (minute): an empty item in \"1,,2\""},
           {"1-2-3 * * * *", "field 1 (minute): \"1-2-3\" has more than one '-'"},
           {"x * * * *", "field 1 (minute): \"x\" is not a minute"},
           {"61 * * * * *", "field 1 (second): 61 is outside 0-59"},
           {"0 60 * * * *", "field 2 (minute): 60 is outside 0-59"},
           {"@often",
            "unknown macro \"@often\"; use @yearly, @monthly, @weekly, @daily, @hourly or @every "
            "DURATION"},
           {"@every", "@every: needs a duration (got \"\"; e.g. @every 90s, @every 1h30m)"},
           {"@every 0s", "@every: must be at least 1s (got \"0s\"; e.g. @every 90s, @every 1h30m)"},
           {"@every 5",
            "@every: a number needs a unit (s, m, h or d) (got \"5\"; e.g. @every 90s, "
            "@every 1h30m)"},
           {"@every 5x", "@every: unknown unit 'x' (got \"5x\"; e.g. @every 90s, @every 1h30m)"},
       }) {
    try {
      CronSchedule::Parse(c.expr);
      ADD_FAILURE() << "\"" << c.expr << "\" parsed";
    } catch (const CronSyntaxError& e) {
      EXPECT_EQ(std::string(e.what()), c.error) << c.expr;
    }
  }
}

TEST(Cron, UnknownTimeZonesAreRefused) {
  EXPECT_NE(FindTimeZone("UTC"), nullptr);
  EXPECT_EQ(FindTimeZone(""), FindTimeZone("UTC"));
  try {
    FindTimeZone("Mars/Olympus");
    ADD_FAILURE() << "found";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown time zone \"Mars/Olympus\" (use an IANA name such as Europe/Paris or UTC)");
  }
}

}  // namespace
}  // namespace batchd::core
