#include "core/asl/timestamp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace batchd::asl {
namespace {

using std::chrono::nanoseconds;

// Nanoseconds since the epoch, the unit the expectations below are written in.
int64_t Nanos(TimePoint t) {
  return std::chrono::duration_cast<nanoseconds>(t.time_since_epoch()).count();
}

TEST(Timestamp, ParsesRfc3339) {
  struct Case {
    const char* text;
    int64_t nanos;  // since the epoch, UTC
  };
  for (const auto& c : std::vector<Case>{
           {"1970-01-01T00:00:00Z", 0},
           {"2016-03-14T01:59:00Z", 1457920740'000000000},
           // Any number of fractional digits; past nine they are below the clock and dropped.
           {"2016-03-14T01:59:00.1Z", 1457920740'100000000},
           {"2016-03-14T01:59:00.123Z", 1457920740'123000000},
           {"2016-03-14T01:59:00.123456Z", 1457920740'123456000},
           {"2016-03-14T01:59:00.123456789Z", 1457920740'123456789},
           {"2016-03-14T01:59:00.1234567899999Z", 1457920740'123456789},
           // An offset names the local wall clock: +02:00 is two hours ahead of UTC.
           {"2016-03-14T03:59:00+02:00", 1457920740'000000000},
           {"2016-03-13T20:29:00-05:30", 1457920740'000000000},
           {"2016-03-14T01:59:00+00:00", 1457920740'000000000},
           {"2016-03-14T01:59:00-00:00", 1457920740'000000000},
           {"2016-03-14T03:59:00.500+02:00", 1457920740'500000000},
           // The offset carries the instant over a day, month and year boundary.
           {"2016-12-31T23:30:00-01:00", 1483230600'000000000},
           {"2016-02-29T12:00:00Z", 1456747200'000000000},  // leap year
           {"2000-02-29T00:00:00Z", 951782400'000000000},   // divisible by 400
           {"1969-12-31T23:59:59.999Z", -1'000000},         // before the epoch
       }) {
    const auto t = ParseTimestamp(c.text);
    ASSERT_TRUE(t.has_value()) << c.text;
    EXPECT_EQ(Nanos(*t), c.nanos) << c.text;
  }
}

TEST(Timestamp, RefusesWhatIsNotRfc3339WithUppercaseT) {
  for (const char* text : {
           "",
           "2016-03-14",                  // no time
           "2016-03-14T01:59:00",         // no zone
           "2016-03-14t01:59:00Z",        // lowercase t
           "2016-03-14 01:59:00Z",        // space instead of T
           "2016-03-14T01:59:00z",        // lowercase z
           "2016-03-14T01:59Z",           // no seconds
           "2016-3-14T01:59:00Z",         // one-digit month
           "16-03-14T01:59:00Z",          // two-digit year
           "2016-03-14T1:59:00Z",         // one-digit hour
           "2016-13-01T00:00:00Z",        // month 13
           "2016-00-01T00:00:00Z",        // month 0
           "2016-02-30T00:00:00Z",        // Feb 30
           "2015-02-29T00:00:00Z",        // not a leap year
           "1900-02-29T00:00:00Z",        // divisible by 100, not by 400
           "2016-04-31T00:00:00Z",        // April has 30 days
           "2016-03-00T00:00:00Z",        // day 0
           "2016-03-14T24:00:00Z",        // hour 24
           "2016-03-14T01:60:00Z",        // minute 60
           "2016-03-14T01:59:60Z",        // leap second
           "2016-03-14T01:59:00.Z",       // '.' without digits
           "2016-03-14T01:59:00,5Z",      // comma decimal
           "2016-03-14T01:59:00+0200",    // offset without ':'
           "2016-03-14T01:59:00+02",      // offset without minutes
           "2016-03-14T01:59:00+24:00",   // offset hour 24
           "2016-03-14T01:59:00+02:60",   // offset minute 60
           "2016-03-14T01:59:00Z ",       // trailing space
           " 2016-03-14T01:59:00Z",       // leading space
           "2016-03-14T01:59:00ZZ",       // trailing garbage
           "2016-03-14T01:59:00+02:00Z",  // both
           "+2016-03-14T01:59:00Z",       // signed year
           "2016-03-14T01:59:00.12a3Z",   // letter in the fraction
           "２016-03-14T01:59:00Z",       // non-ASCII digit
       }) {
    EXPECT_FALSE(ParseTimestamp(text).has_value()) << text;
    EXPECT_FALSE(ParseInstant(text).has_value()) << text;
  }
}

TEST(Timestamp, InstantIsExactOverAllFourDigitYears) {
  const auto last = ParseInstant("9999-12-31T23:59:59.999999999Z");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->seconds, 253402300799);
  EXPECT_EQ(last->nanos, 999999999);
  const auto first = ParseInstant("0000-01-01T00:00:00Z");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->seconds, -62167219200);
  EXPECT_EQ(first->nanos, 0);
  EXPECT_LT(*ParseInstant("9999-12-31T23:59:58Z"), *ParseInstant("9999-12-31T23:59:59Z"));
  EXPECT_EQ(*ParseInstant("2016-03-14T03:59:00+02:00"), *ParseInstant("2016-03-14T01:59:00Z"));
  // Before the epoch the fraction still counts forward from the whole second.
  const auto before = ParseInstant("1969-12-31T23:59:59.25Z");
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->seconds, -1);
  EXPECT_EQ(before->nanos, 250000000);
}

TEST(Timestamp, ClampsInstantsTimePointCannotHold) {
  EXPECT_EQ(ParseTimestamp("9999-12-31T23:59:59Z"), TimePoint::max());
  EXPECT_EQ(ParseTimestamp("2263-01-01T00:00:00Z"), TimePoint::max());
  EXPECT_EQ(ParseTimestamp("1066-10-14T09:00:00Z"), TimePoint::min());
  // Just inside the range nothing is clamped.
  const auto late = ParseTimestamp("2262-04-11T23:47:15Z");
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(Nanos(*late), 9223372035'000000000);
}

TEST(Timestamp, FormatsUtcWithMilliseconds) {
  struct Case {
    int64_t nanos;
    const char* text;
  };
  for (const auto& c : std::vector<Case>{
           {0, "1970-01-01T00:00:00.000Z"},
           {1457920740'123456789, "2016-03-14T01:59:00.123Z"},  // truncated, not rounded
           {1457920740'999999999, "2016-03-14T01:59:00.999Z"},
           {1483230600'000000000, "2017-01-01T00:30:00.000Z"},
           {-1, "1969-12-31T23:59:59.999Z"},  // floor before the epoch
           {-86400'000000000, "1969-12-31T00:00:00.000Z"},
       }) {
    EXPECT_EQ(FormatTimestamp(
                  TimePoint(std::chrono::duration_cast<TimePoint::duration>(nanoseconds(c.nanos)))),
              c.text);
  }
}

TEST(Timestamp, FormatRoundTripsThroughParse) {
  for (const char* text :
       {"2016-03-14T01:59:00.123Z", "2026-12-07T20:04:59.000Z", "1999-12-31T23:59:59.999Z"}) {
    const auto t = ParseTimestamp(text);
    ASSERT_TRUE(t.has_value()) << text;
    EXPECT_EQ(FormatTimestamp(*t), text);
  }
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2016-03-14T03:59:00.5+02:00")),
            "2016-03-14T01:59:00.500Z");
}

}  // namespace
}  // namespace batchd::asl
