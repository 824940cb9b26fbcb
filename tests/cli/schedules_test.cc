// batchctl cron next (fire times worked out locally, errors that point at the field) and the
// schedule verbs: apply, get, describe, suspend, resume, trigger, delete.
#include <gmock/gmock.h>

#include "cli_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
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

using SchedulesCliTest = BatchctlTest;

TEST_F(SchedulesCliTest, ApplyListDescribeSuspendTriggerDelete) {
  MakeQueue("sched-q");
  MakeDefinition("sched-def");
  const std::string file = WriteFile("schedule.yaml",
                                     "kind: Schedule\n"
                                     "scheduleName: nightly\n"
                                     "scheduleExpression: '30 2 * * *'\n"
                                     "timeZone: America/New_York\n"
                                     "jobQueue: sched-q\n"
                                     "jobDefinition: sched-def\n"
                                     "concurrencyPolicy: Forbid\n");
  auto r = Ctl({"apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "schedule/nightly created\n");
  r = Ctl({"apply", "-f", file});
  EXPECT_EQ(r.out, "schedule/nightly unchanged\n") << Describe(r);

  r = Ctl({"get", "schedules"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("NAME"));
  EXPECT_THAT(r.out, HasSubstr("nightly   30 2 * * *   America/New_York   ACTIVE"));

  r = Ctl({"trigger", "nightly"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string job = r.out.substr(0, r.out.size() - 1);
  r = Ctl({"describe", "schedule", "nightly"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("scheduleExpression: 30 2 * * *"));
  EXPECT_THAT(r.out, HasSubstr("# next:"));
  EXPECT_THAT(r.out, HasSubstr("07:30:00Z"));  // 02:30 in New York in winter
  EXPECT_THAT(r.out, HasSubstr(job));
  EXPECT_THAT(r.out, HasSubstr("triggered by hand"));

  EXPECT_EQ(Ctl({"suspend", "nightly"}).out, "schedule/nightly suspended\n");
  EXPECT_THAT(Ctl({"get", "schedules", "nightly"}).out, HasSubstr("SUSPENDED"));
  EXPECT_THAT(Ctl({"resume", "nightly"}).out, StartsWith("schedule/nightly resumed; next run"));
  EXPECT_EQ(Ctl({"delete", "schedule", "nightly"}).out, "schedule/nightly deleted\n");
  r = Ctl({"describe", "schedule", "nightly"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: schedule \"nightly\" not found\n");
}

TEST_F(SchedulesCliTest, AScheduleThatStartsAnExecution) {
  const std::string file = WriteFile("schedule-sm.yaml",
                                     "kind: Schedule\n"
                                     "scheduleName: sm-nightly\n"
                                     "scheduleExpression: '0 3 * * *'\n"
                                     "stateMachine: sched-greet\n"
                                     "executionInput: {day: yesterday}\n"
                                     "concurrencyPolicy: Forbid\n"
                                     "---\n"
                                     "kind: StateMachine\n"
                                     "name: sched-greet\n"
                                     "definition: {StartAt: P, States: {P: {Type: Pass, End: "
                                     "true}}}\n");
  auto r = Ctl({"apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "statemachine/sched-greet created\nschedule/sm-nightly created\n");
  r = Ctl({"apply", "-f", file});
  EXPECT_EQ(r.out, "statemachine/sched-greet unchanged\nschedule/sm-nightly unchanged\n")
      << Describe(r);

  r = Ctl({"trigger", "sm-nightly"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("arn:batchd:states:local:000000000000:execution:sched-greet:"
                                "sm-nightly-"));
  const std::string arn = r.out.substr(0, r.out.size() - 1);
  // The run shows its execution's status once it has ended.
  EXPECT_TRUE(PollUntil([&] {
    return Ctl({"get", "schedules", "sm-nightly"}).out.find("SUCCEEDED") != std::string::npos;
  })) << Ctl({"get", "schedules", "sm-nightly"}).out;
  r = Ctl({"describe", "schedule", "sm-nightly"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("stateMachine: sched-greet\n"));
  EXPECT_THAT(r.out, HasSubstr(R"(executionInput: "{\"day\":\"yesterday\"}")"));
  EXPECT_THAT(r.out, Not(HasSubstr("jobQueue")));
  EXPECT_THAT(r.out, Not(HasSubstr("containerOverrides")));
  EXPECT_THAT(r.out, HasSubstr("EXECUTION"));
  EXPECT_THAT(r.out, HasSubstr(arn + "   SUCCEEDED   triggered by hand"));
  EXPECT_EQ(Ctl({"delete", "schedule", "sm-nightly"}).out, "schedule/sm-nightly deleted\n");
}

TEST_F(SchedulesCliTest, ABadExpressionPointsAtItsLine) {
  const std::string file = WriteFile("bad-schedule.yaml",
                                     "kind: Schedule\n"
                                     "scheduleName: bad\n"
                                     "scheduleExpression: '0 24 * * *'\n"
                                     "jobQueue: q\n"
                                     "jobDefinition: d\n");
  auto r = Ctl({"apply", "-f", file});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr(":3: Schedule \"bad\": scheduleExpression: field 2 (hour): 24 is "
                               "outside 0-23"));
}

}  // namespace
}  // namespace batchd::testing
