#include "core/attempt_transitions.h"

#include <gtest/gtest.h>

namespace batchd::core {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::JobDetail;
using batch::v1::JobStatus;
using batch::v1::LaunchAttempt;

JobDetail RunnableJob(int attempts = 1) {
  JobDetail job;
  job.set_job_id("j1");
  job.set_job_name("name");
  job.set_job_queue("q");
  job.set_status(JobStatus::RUNNABLE);
  job.mutable_container()->add_command("true");
  auto* vcpu = job.mutable_container()->add_resource_requirements();
  vcpu->set_type(batch::v1::ResourceType::VCPU);
  vcpu->set_value("2");
  auto* mem = job.mutable_container()->add_resource_requirements();
  mem->set_type(batch::v1::ResourceType::MEMORY);
  mem->set_value("512");
  job.mutable_retry_strategy()->set_attempts(attempts);
  job.mutable_timeout()->set_attempt_duration_seconds(60);
  return job;
}

AttemptStatus Exited(const std::string& attempt, int code, int64_t at = 2000) {
  AttemptStatus s;
  s.set_attempt_id(attempt);
  s.set_state(AttemptState::EXITED);
  s.set_exit_code(code);
  s.set_started_at(1000);
  s.set_at(at);
  return s;
}

AttemptStatus Running(const std::string& attempt) {
  AttemptStatus s;
  s.set_attempt_id(attempt);
  s.set_state(AttemptState::RUNNING);
  s.set_started_at(1000);
  s.set_at(1000);
  return s;
}

TEST(AttemptTransitions, StartFillsTheLaunch) {
  JobDetail job = RunnableJob();
  LaunchAttempt launch;
  ASSERT_TRUE(StartAttempt(job, "a1", "n1", "ce", DispatchSettings{}, &launch));
  EXPECT_EQ(job.status(), JobStatus::STARTING);
  ASSERT_EQ(job.attempts_size(), 1);
  EXPECT_EQ(job.attempts(0).node_id(), "n1");
  EXPECT_EQ(job.attempts(0).attempt_number(), 1);
  EXPECT_EQ(launch.attempt_id(), "a1");
  EXPECT_EQ(launch.job_id(), "j1");
  EXPECT_EQ(launch.vcpus(), 2);
  EXPECT_EQ(launch.memory_mib(), 512);
  EXPECT_EQ(launch.timeout_seconds(), 60);
  EXPECT_EQ(launch.compute_environment(), "ce");
  EXPECT_EQ(launch.container().command(0), "true");
  EXPECT_EQ(CurrentAttempt(job)->attempt_id(), "a1");
}

TEST(AttemptTransitions, StartRefusesAJobNoLongerRunnable) {
  JobDetail job = RunnableJob();
  job.set_status(JobStatus::FAILED);
  job.set_is_cancelled(true);
  LaunchAttempt launch;
  EXPECT_FALSE(StartAttempt(job, "a1", "n1", "ce", DispatchSettings{}, &launch));
  EXPECT_EQ(job.attempts_size(), 0);
}

TEST(AttemptTransitions, RunThenSucceed) {
  JobDetail job = RunnableJob();
  LaunchAttempt launch;
  StartAttempt(job, "a1", "n1", "ce", DispatchSettings{}, &launch);
  ASSERT_TRUE(MarkRunning(job, Running("a1")));
  EXPECT_EQ(job.status(), JobStatus::RUNNING);
  EXPECT_EQ(job.started_at(), 1000);
  EXPECT_FALSE(MarkRunning(job, Running("a1"))) << "a second report changes nothing";
  auto out = FinishAttempt(job, Exited("a1", 0), DispatchSettings{}, 5000);
  ASSERT_TRUE(out.applied);
  EXPECT_EQ(job.status(), JobStatus::SUCCEEDED);
  EXPECT_EQ(job.stopped_at(), 2000);
  EXPECT_EQ(job.attempts(0).container().exit_code(), 0);
  EXPECT_EQ(CurrentAttempt(job), nullptr);
}

TEST(AttemptTransitions, AFinalReportWithoutRunningStillRecordsTheStart) {
  JobDetail job = RunnableJob();
  LaunchAttempt launch;
  StartAttempt(job, "a1", "n1", "ce", DispatchSettings{}, &launch);
  ASSERT_TRUE(FinishAttempt(job, Exited("a1", 0), DispatchSettings{}, 5000).applied);
  EXPECT_EQ(job.status(), JobStatus::SUCCEEDED);
  EXPECT_EQ(job.started_at(), 1000);
}

TEST(AttemptTransitions, FailureIsRetriedWhileAttemptsRemain) {
  JobDetail job = RunnableJob(2);
  LaunchAttempt launch;
  StartAttempt(job, "a1", "n1", "ce", DispatchSettings{}, &launch);
  MarkRunning(job, Running("a1"));
  ASSERT_TRUE(FinishAttempt(job, Exited("a1", 3), DispatchSettings{}, 5000).applied);
  EXPECT_EQ(job.status(), JobStatus::RUNNABLE);
  EXPECT_NE(job.status_reason().find("retrying"), std::string::npos) << job.status_reason();

  StartAttempt(job, "a2", "n2", "ce", DispatchSettings{}, &launch);
  EXPECT_EQ(launch.attempt_number(), 2);
  MarkRunning(job, Running("a2"));
  ASSERT_TRUE(FinishAttempt(job, Exited("a2", 3), DispatchSettings{}, 5000).applied);
  EXPECT_EQ(job.status(), JobStatus::FAILED);
  EXPECT_EQ(job.attempts_size(), 2);
}

TEST(AttemptTransitions, StaleReportsChangeNothing) {
  JobDetail job = RunnableJob(3);
  LaunchAttempt launch;
  StartAttempt(job, "a1", "n1", "ce", DispatchSettings{}, &launch);
  const JobDetail before = job;
  EXPECT_FALSE(FinishAttempt(job, Exited("other", 0), DispatchSettings{}, 5000).applied);
  EXPECT_FALSE(MarkRunning(job, Running("other")));
  EXPECT_EQ(job.SerializeAsString(), before.SerializeAsString());
}

TEST(AttemptTransitions, InfrastructureFailuresDoNotUseUpAttempts) {
  JobDetail job = RunnableJob(1);
  DispatchSettings settings;
  settings.max_infrastructure_retries = 2;
  LaunchAttempt launch;
  for (int i = 0; i < 2; ++i) {
    const std::string id = "lost" + std::to_string(i);
    StartAttempt(job, id, "n1", "ce", settings, &launch);
    AttemptStatus lost;
    lost.set_attempt_id(id);
    lost.set_infrastructure(true);
    lost.set_reason("node lost");
    ASSERT_TRUE(FinishAttempt(job, lost, settings, 5000).applied);
    EXPECT_EQ(job.status(), JobStatus::RUNNABLE) << i;
    EXPECT_TRUE(job.attempts(i).infrastructure_failure());
  }
  StartAttempt(job, "a3", "n2", "ce", settings, &launch);
  ASSERT_TRUE(FinishAttempt(job, Exited("a3", 0), settings, 5000).applied);
  EXPECT_EQ(job.status(), JobStatus::SUCCEEDED);
}

TEST(AttemptTransitions, TerminatedJobIsNotRetriedAndKeepsItsReason) {
  JobDetail job = RunnableJob(5);
  LaunchAttempt launch;
  StartAttempt(job, "a1", "n1", "ce", DispatchSettings{}, &launch);
  MarkRunning(job, Running("a1"));
  job.set_is_terminated(true);
  job.set_status_reason("stopped by operator");
  AttemptStatus killed;
  killed.set_attempt_id("a1");
  killed.set_state(AttemptState::EXITED);
  killed.set_signal(15);
  ASSERT_TRUE(FinishAttempt(job, killed, DispatchSettings{}, 5000).applied);
  EXPECT_EQ(job.status(), JobStatus::FAILED);
  EXPECT_EQ(job.status_reason(), "stopped by operator");
  EXPECT_EQ(job.attempts(0).signal(), 15);
}

TEST(AttemptTransitions, UnplaceableFailsOnlyRunnableJobs) {
  JobDetail job = RunnableJob();
  ASSERT_TRUE(FailUnplaceable(job, "too big", 7));
  EXPECT_EQ(job.status(), JobStatus::FAILED);
  EXPECT_EQ(job.status_reason(), "too big");
  EXPECT_FALSE(FailUnplaceable(job, "again", 8));
}

}  // namespace
}  // namespace batchd::core
