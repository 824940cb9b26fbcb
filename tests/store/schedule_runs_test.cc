// Runs of a schedule whose target is a state machine: they name their execution, show its
// status as it is now, and are kept while it runs however few runs the schedule keeps.
#include "workflow_test_util.h"

namespace batchd::store {
namespace {

using batch::v1::ExecutionStatus;
using batch::v1::ScheduleDetail;

class ScheduleRunsTest : public WorkflowStoreTest {
 protected:
  void SetUp() override {
    WorkflowStoreTest::SetUp();
    wf_->CreateStateMachine(Machine("m"));
    ScheduleDetail s;
    s.set_schedule_name("nightly");
    s.set_schedule_expression("@daily");
    s.set_state_machine("m");
    s.set_execution_input("{}");
    s.set_created_at(1);
    s.set_next_run_at(1'000);
    store_->CreateSchedule(s);
  }

  static Store::ScheduleFiring Run(int64_t at, const std::string& outcome,
                                   const std::string& execution_arn = "") {
    Store::ScheduleFiring run;
    run.scheduled_at = at;
    run.outcome = outcome;
    run.execution_arn = execution_arn;
    return run;
  }

  ScheduleDetail Get() {
    auto page = store_->DescribeSchedules({"nightly"}, 10, "", 100);
    EXPECT_EQ(page.items.size(), 1u);
    return page.items.empty() ? ScheduleDetail{} : page.items[0];
  }
};

TEST_F(ScheduleRunsTest, RunsNameTheirExecutionWithItsStatus) {
  const auto started = Start({Execution("m", "nightly-1")});
  ASSERT_TRUE(store_->FireSchedule(
      "nightly", 1'000, {Run(1'000, "FIRED", started[0].arn), Run(1'500, "MISSED")}, 2'000, 20));
  ScheduleDetail s = Get();
  ASSERT_EQ(s.recent_runs_size(), 2);
  EXPECT_EQ(s.recent_runs(0).outcome(), "MISSED");
  EXPECT_TRUE(s.recent_runs(0).execution_arn().empty());
  EXPECT_EQ(s.recent_runs(1).execution_arn(), started[0].arn);
  EXPECT_TRUE(s.recent_runs(1).job_id().empty());
  EXPECT_EQ(s.recent_runs(1).execution_status(), ExecutionStatus::RUNNING);
  EXPECT_EQ(s.last_fired().execution_arn(), started[0].arn);
  EXPECT_EQ(s.last_fired().execution_status(), ExecutionStatus::RUNNING);

  auto ended = started[0];
  ended.status = ExecutionStatus::SUCCEEDED;
  ended.output = "{}";
  ended.stop_ms = 1'700'000'000'100;
  wf_->CommitTurn({.changed_executions = {ended}});
  EXPECT_EQ(Get().last_fired().execution_status(), ExecutionStatus::SUCCEEDED);
}

TEST_F(ScheduleRunsTest, ARunIsKeptWhileItsExecutionRuns) {
  const auto started = Start({Execution("m", "nightly-1")});
  ASSERT_TRUE(
      store_->FireSchedule("nightly", 1'000, {Run(1'000, "FIRED", started[0].arn)}, 2'000, 1));
  ASSERT_TRUE(store_->FireSchedule("nightly", 2'000, {Run(2'000, "SKIPPED")}, 3'000, 1));
  // Trigger's way in: whatever the next time, trimmed the same way.
  ASSERT_TRUE(store_->AddScheduleRun("nightly", Run(2'500, "FIRED", "arn:gone"), 1));
  ScheduleDetail s = Get();
  ASSERT_EQ(s.recent_runs_size(), 2);
  EXPECT_EQ(s.recent_runs(0).execution_arn(), "arn:gone");
  // An execution that is no more has no status.
  EXPECT_EQ(s.recent_runs(0).execution_status(), ExecutionStatus::EXECUTION_STATUS_UNSPECIFIED);
  EXPECT_EQ(s.recent_runs(1).execution_arn(), started[0].arn);
  EXPECT_EQ(s.next_run_at(), 3'000) << "AddScheduleRun leaves the next time alone";

  auto ended = started[0];
  ended.status = ExecutionStatus::ABORTED;
  ended.stop_ms = 1'700'000'000'100;
  wf_->CommitTurn({.changed_executions = {ended}});
  ASSERT_TRUE(store_->AddScheduleRun("nightly", Run(2'600, "FIRED", "arn:gone-too"), 1));
  s = Get();
  ASSERT_EQ(s.recent_runs_size(), 1);
  EXPECT_EQ(s.recent_runs(0).execution_arn(), "arn:gone-too");

  EXPECT_FALSE(store_->AddScheduleRun("missing", Run(1, "FIRED", "arn:x"), 1));
}

}  // namespace
}  // namespace batchd::store
