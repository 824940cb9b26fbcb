#include "api/job_states.h"
#include "expect_api_error.h"

namespace batchd::api {
namespace {

using batch::v1::JobStatus;

TEST(JobStates, TerminalStates) {
  for (auto s : AllJobStatuses()) {
    EXPECT_EQ(IsTerminal(s), s == JobStatus::SUCCEEDED || s == JobStatus::FAILED)
        << JobStatusName(s);
  }
}

TEST(JobStates, NothingLeavesATerminalState) {
  for (const auto& t : JobTransitionTable()) {
    EXPECT_FALSE(IsTerminal(t.from)) << JobStatusName(t.from) << " -> " << JobStatusName(t.to);
    EXPECT_FALSE(t.trigger.empty());
  }
}

TEST(JobStates, LegalAndIllegalMoves) {
  EXPECT_TRUE(IsLegalTransition(JobStatus::RUNNABLE, JobStatus::STARTING));
  EXPECT_TRUE(IsLegalTransition(JobStatus::RUNNING, JobStatus::RUNNABLE));
  EXPECT_FALSE(IsLegalTransition(JobStatus::RUNNABLE, JobStatus::RUNNING));
  EXPECT_FALSE(IsLegalTransition(JobStatus::SUCCEEDED, JobStatus::FAILED));
  EXPECT_API_ERROR(CheckTransition(JobStatus::FAILED, JobStatus::RUNNABLE),
                   ErrorCode::kFailedPrecondition, "cannot move from FAILED to RUNNABLE");
}

TEST(JobStates, BeforeStart) {
  EXPECT_TRUE(IsBeforeStart(JobStatus::PENDING));
  EXPECT_FALSE(IsBeforeStart(JobStatus::STARTING));
}

TEST(JobStates, Parse) {
  EXPECT_EQ(ParseJobStatus("status", "runnable"), JobStatus::RUNNABLE);
  EXPECT_INVALID(ParseJobStatus("status", "DONE"), "status: must be one of");
  EXPECT_INVALID(ParseJobStatus("status", "JOB_STATUS_UNSPECIFIED"), "must be one of");
}

}  // namespace
}  // namespace batchd::api
