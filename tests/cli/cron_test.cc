// batchctl cron next: fire times worked out locally, and errors that point at the field.
#include <gmock/gmock.h>

#include "cli_fixture.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using CronTest = BatchctlTest;

TEST_F(CronTest, NextPrintsFireTimesInUtcAndTheZone) {
  auto r = Ctl({"cron", "next", "0 9 * * MON", "--tz", "Europe/Paris", "-n", "3"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("UTC"));
  EXPECT_THAT(r.out, HasSubstr("LOCAL (Europe/Paris)"));
  EXPECT_THAT(r.out, HasSubstr(" 09:00:00 CE"));  // CET or CEST
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4);
}

TEST_F(CronTest, BadExpressionsAndZonesAreUsageErrors) {
  auto r = Ctl({"cron", "next", "* 24 * * *"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "batchctl: field 2 (hour): 24 is outside 0-23\n");
  r = Ctl({"cron", "next", "@daily", "--tz", "Mars/Olympus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown time zone \"Mars/Olympus\""));
  r = Ctl({"cron", "next", "0 0 30 2 *"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: \"0 0 30 2 *\" never fires (no date matches it)\n");
}

}  // namespace
}  // namespace batchd::testing
