#include "core/schedule_plan.h"

#include <gtest/gtest.h>

#include "api/states_names.h"

namespace batchd::core {
namespace {

using batch::v1::CatchUpPolicy;
using batch::v1::ConcurrencyPolicy;
using batch::v1::ScheduleDetail;
using Outcome = ScheduleRunPlan::Outcome;

constexpr int64_t kMinute = 60'000;

ScheduleDetail Every(ConcurrencyPolicy::Value concurrency, CatchUpPolicy::Value catch_up,
                     int deadline_seconds = 0) {
  ScheduleDetail s;
  s.set_schedule_expression("* * * * *");
  s.set_concurrency_policy(concurrency);
  s.set_catch_up(catch_up);
  s.set_starting_deadline_seconds(deadline_seconds);
  return s;
}

FiringPlan Plan(const ScheduleDetail& s, int64_t next, int64_t now,
                const std::string& running = "") {
  return PlanFirings(s, CronSchedule::Parse(s.schedule_expression()), nullptr, next, now, running);
}

TEST(SchedulePlan, NothingDueNothingDone) {
  auto plan = Plan(Every(ConcurrencyPolicy::Allow, CatchUpPolicy::Skip), 10 * kMinute, 9 * kMinute);
  EXPECT_TRUE(plan.runs.empty());
  EXPECT_EQ(plan.next_run_at, 10 * kMinute);
}

TEST(SchedulePlan, ADueTimeFiresAndTheNextFollows) {
  auto plan =
      Plan(Every(ConcurrencyPolicy::Allow, CatchUpPolicy::Skip), 10 * kMinute, 10 * kMinute + 200);
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].outcome, Outcome::kFire);
  EXPECT_EQ(plan.runs[0].scheduled_at, 10 * kMinute);
  EXPECT_EQ(plan.next_run_at, 11 * kMinute);
}

TEST(SchedulePlan, ForbidSkipsWhileThePreviousRunGoes) {
  auto plan = Plan(Every(ConcurrencyPolicy::Forbid, CatchUpPolicy::Skip), 10 * kMinute,
                   10 * kMinute, "job-1");
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].outcome, Outcome::kSkip);
  EXPECT_EQ(plan.runs[0].reason, "the previous run (job job-1) has not finished (Forbid)");
}

TEST(SchedulePlan, ReplaceFiresAndStopsThePrevious) {
  auto plan = Plan(Every(ConcurrencyPolicy::Replace, CatchUpPolicy::Skip), 10 * kMinute,
                   10 * kMinute, "job-1");
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].outcome, Outcome::kFire);
  EXPECT_TRUE(plan.runs[0].replace_previous);
}

TEST(SchedulePlan, CatchUpPolicies) {
  // Down from minute 10 to 13:30: 10, 11, 12 and 13 passed.
  const int64_t now = 13 * kMinute + 30'000;
  auto skip = Plan(Every(ConcurrencyPolicy::Allow, CatchUpPolicy::Skip), 10 * kMinute, now);
  ASSERT_EQ(skip.runs.size(), 4u);
  for (const auto& r : skip.runs) EXPECT_EQ(r.outcome, Outcome::kMiss);
  EXPECT_EQ(skip.runs[0].reason,
            "missed while batchd was down or the schedule suspended (catchUp Skip)");
  EXPECT_EQ(skip.next_run_at, 14 * kMinute);

  auto latest = Plan(Every(ConcurrencyPolicy::Allow, CatchUpPolicy::Latest), 10 * kMinute, now);
  ASSERT_EQ(latest.runs.size(), 4u);
  EXPECT_EQ(latest.runs[2].outcome, Outcome::kMiss);
  EXPECT_EQ(latest.runs[3].outcome, Outcome::kFire);
  EXPECT_EQ(latest.runs[3].reason, "caught up 30 s late");

  auto all = Plan(Every(ConcurrencyPolicy::Allow, CatchUpPolicy::All), 10 * kMinute, now);
  ASSERT_EQ(all.runs.size(), 4u);
  for (const auto& r : all.runs) EXPECT_EQ(r.outcome, Outcome::kFire);

  // All under Forbid: the first catch-up run goes, the others find it going.
  auto forbid = Plan(Every(ConcurrencyPolicy::Forbid, CatchUpPolicy::All), 10 * kMinute, now);
  EXPECT_EQ(forbid.runs[0].outcome, Outcome::kFire);
  EXPECT_EQ(forbid.runs[1].outcome, Outcome::kSkip);
}

TEST(SchedulePlan, StartingDeadlineMissesTimesTooLate) {
  const int64_t now = 13 * kMinute + 30'000;
  auto plan = Plan(Every(ConcurrencyPolicy::Allow, CatchUpPolicy::All, 100), 10 * kMinute, now);
  ASSERT_EQ(plan.runs.size(), 4u);
  EXPECT_EQ(plan.runs[0].outcome, Outcome::kMiss);
  EXPECT_EQ(plan.runs[0].reason, "more than startingDeadlineSeconds (100) late");
  EXPECT_EQ(plan.runs[1].outcome, Outcome::kMiss);
  EXPECT_EQ(plan.runs[2].outcome, Outcome::kFire);  // 90 s late
  EXPECT_EQ(plan.runs[3].outcome, Outcome::kFire);
}

TEST(SchedulePlan, ALongOutageIsRecordedUpToACap) {
  auto plan = Plan(Every(ConcurrencyPolicy::Allow, CatchUpPolicy::Skip), 0, 10'000 * kMinute);
  EXPECT_EQ(plan.runs.size(), static_cast<size_t>(kMaxCatchUp));
  EXPECT_EQ(plan.next_run_at, 10'001 * kMinute);
}

TEST(SchedulePlan, ForbidNamesTheExecutionOfAStateMachineSchedule) {
  auto s = Every(ConcurrencyPolicy::Forbid, CatchUpPolicy::Skip);
  s.set_state_machine("etl");
  auto plan = Plan(s, 10 * kMinute, 10 * kMinute, "arn:x:execution:etl:nightly-600");
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].reason,
            "the previous run (execution arn:x:execution:etl:nightly-600) has not finished "
            "(Forbid)");
}

TEST(ScheduledExecutionName, TheScheduleAndItsTime) {
  struct Case {
    std::string schedule;
    int64_t scheduled_at;
    std::string name;
  };
  const std::string long_name(128, 'a');
  const Case cases[] = {
      {"nightly", 1'767'225'600'000, "nightly-1767225600"},
      // An @every interval counts from the schedule's creation, to the millisecond.
      {"tick", 1'767'225'600'042, "tick-1767225600.042"},
      {"tick", 1'767'225'600'500, "tick-1767225600.500"},
      {std::string(69, 'b'), 1'767'225'600'000, std::string(69, 'b') + "-1767225600"},
      // Past 80 characters: cut, and told apart by a hash of the whole name.
      {std::string(70, 'b'), 1'767'225'600'000, std::string(60, 'b') + "-f3c29f05-1767225600"},
      {long_name, 1'767'225'600'001, std::string(56, 'a') + "-93ca4045-1767225600.001"},
  };
  for (const auto& c : cases) {
    const std::string name = ScheduledExecutionName(c.schedule, c.scheduled_at);
    EXPECT_EQ(name, c.name) << c.schedule;
    EXPECT_LE(name.size(), 80u);
    EXPECT_TRUE(api::IsValidStatesName(name)) << name;
  }
  // Names that share their first characters stay apart.
  EXPECT_NE(ScheduledExecutionName(long_name + "x", 0), ScheduledExecutionName(long_name + "y", 0));
}

}  // namespace
}  // namespace batchd::core
