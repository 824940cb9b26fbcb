// Schedules end to end: they fire real jobs, honour Forbid/Replace/Allow against real running
// jobs, catch up (or record misses) after batchd was down, and fire each time exactly once
// however often batchd is killed.
#include <set>

#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class Schedules : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
    StartAgent("a", "ce", 8, 4096);
    Register("ok", {.command = {"true"}});
    Register("sleep", {.command = {"sleep", "Ref::seconds"}, .parameters = {{"seconds", "6"}}});
  }

  ScheduleRequest Every(const std::string& name, const std::string& definition,
                        const std::string& expression = "* * * * * *") {
    ScheduleRequest req;
    req.set_schedule_name(name);
    req.set_schedule_expression(expression);
    req.set_job_queue("q");
    req.set_job_definition(definition);
    req.set_runs_to_keep(1000);
    return req;
  }

  grpc::Status TryCreate(const ScheduleRequest& req) { return TryCreateSchedule(req); }

  void Create(const ScheduleRequest& req) {
    grpc::Status s = TryCreate(req);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  ScheduleDetail Get(const std::string& name) {
    ScheduleDetail schedule;
    grpc::Status s = DescribeSchedule(name, &schedule);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return schedule;
  }

  std::vector<ScheduleRun> WaitForRuns(const std::string& name, const std::string& outcome, int n,
                                       std::chrono::seconds timeout = std::chrono::seconds(20)) {
    return WaitForScheduleRuns(name, outcome, n, timeout);
  }

  void Suspend(const std::string& name) {
    ScheduleRef ref;
    ref.set_schedule(name);
    ScheduleResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->SuspendSchedule(&ctx, ref, &resp).ok());
  }

  // The wall clock itself has to move on here: runs fall due while batchd is down.
  static void LetTimePass(std::chrono::milliseconds span) {
    const auto until = std::chrono::steady_clock::now() + span;
    PollUntil([&] { return std::chrono::steady_clock::now() >= until; }, span * 2,
              std::chrono::milliseconds(50));
  }
};

TEST_F(Schedules, FiresJobsTaggedWithTheirRun) {
  Create(Every("tick", "ok"));
  auto runs = WaitForRuns("tick", "FIRED", 2);
  ASSERT_GE(runs.size(), 2u);
  const JobDetail job = WaitFor(runs.back().job_id(), JobStatus::SUCCEEDED);
  EXPECT_EQ(job.job_name(), "tick");
  EXPECT_EQ(job.tags().at("batchd:schedule"), "tick");
  EXPECT_EQ(job.tags().at("batchd:scheduledAt"), std::to_string(runs.back().scheduled_at()));
  EXPECT_LT(job.created_at() - runs.back().scheduled_at(), 2000) << "fired on time";
  EXPECT_EQ(runs.back().scheduled_at() % 1000, 0);
  EXPECT_GT(Get("tick").next_run_at(), runs.front().scheduled_at());
}

TEST_F(Schedules, ForbidSkipsWhileTheLastRunIsGoing) {
  Create([&] {
    auto r = Every("forbid", "sleep");
    r.set_concurrency_policy(ConcurrencyPolicy::Forbid);
    return r;
  }());
  auto skipped = WaitForRuns("forbid", "SKIPPED", 2);
  EXPECT_NE(skipped.front().status_reason().find("has not finished (Forbid)"), std::string::npos)
      << skipped.front().status_reason();
  auto fired = WaitForRuns("forbid", "FIRED", 1);
  EXPECT_EQ(fired.size(), 1u) << "only one run at a time";
}

TEST_F(Schedules, ReplaceTerminatesTheRunStillGoing) {
  Create([&] {
    auto r = Every("replace", "sleep");
    r.set_concurrency_policy(ConcurrencyPolicy::Replace);
    return r;
  }());
  auto fired = WaitForRuns("replace", "FIRED", 3);
  const std::string oldest = fired.back().job_id();  // newest first
  const JobDetail replaced = WaitFor(oldest, JobStatus::FAILED);
  EXPECT_NE(replaced.status_reason().find("replaced by the run of schedule replace"),
            std::string::npos)
      << replaced.status_reason();
}

TEST_F(Schedules, AllowLetsRunsOverlap) {
  Create(Every("allow", "sleep"));
  auto fired = WaitForRuns("allow", "FIRED", 3);
  int running = 0;
  for (const auto& run : fired) {
    if (WaitFor(run.job_id(), JobStatus::RUNNING).status() == JobStatus::RUNNING) ++running;
  }
  EXPECT_EQ(running, 3);
}

TEST_F(Schedules, TimesPassedWhileBatchdWasDownFollowTheCatchUpPolicy) {
  auto skip = Every("skip", "ok");
  auto latest = Every("latest", "ok");
  latest.set_catch_up(CatchUpPolicy::Latest);
  auto all = Every("all", "ok");
  all.set_catch_up(CatchUpPolicy::All);
  for (const auto& r : {skip, latest, all}) Create(r);
  for (const char* name : {"skip", "latest", "all"}) WaitForRuns(name, "FIRED", 1);
  const int port = Port();
  batchd_->Kill();
  LetTimePass(std::chrono::milliseconds(4000));
  StartBatchd(port);

  auto missed = WaitForRuns("skip", "MISSED", 3);
  EXPECT_NE(missed.front().status_reason().find("catchUp Skip"), std::string::npos);
  // The latest time is run once (here it is due right as batchd comes back); the rest missed.
  WaitForRuns("latest", "MISSED", 2);
  WaitForRuns("latest", "FIRED", 2);
  int late = 0;
  for (const auto& run : WaitForRuns("all", "FIRED", 5)) {
    late += run.status_reason().find("caught up") == 0 ? 1 : 0;
  }
  EXPECT_GE(late, 3) << "each time missed is run";
  EXPECT_TRUE(Get("all").recent_runs(0).outcome() == "FIRED");
}

TEST_F(Schedules, EachTimeFiresExactlyOnceThroughKills) {
  Create(Every("once", "ok"));
  WaitForRuns("once", "FIRED", 1);
  const int port = Port();
  for (int i = 0; i < 4; ++i) {
    const int before = Get("once").recent_runs_size();
    ASSERT_TRUE(PollUntil([&] { return Get("once").recent_runs_size() > before; }));
    batchd_->Kill();  // kill -9, at whatever point the runner is
    StartBatchd(port);
  }
  WaitForRuns("once", "FIRED", 6);
  const ScheduleDetail s = Get("once");
  // Every second from the first run to the last is recorded once, fired or missed, and
  // each fired run is one job.
  std::set<int64_t> times;
  std::vector<std::string> jobs;
  for (const auto& run : s.recent_runs()) {
    EXPECT_TRUE(times.insert(run.scheduled_at()).second) << "recorded twice";
    if (run.outcome() == "FIRED") jobs.push_back(run.job_id());
  }
  EXPECT_EQ(static_cast<int64_t>(times.size()), (*times.rbegin() - *times.begin()) / 1000 + 1)
      << "no second lost";
  std::set<std::string> scheduled;
  for (const auto& job : DescribeAll(jobs)) {
    EXPECT_TRUE(scheduled.insert(job.tags().at("batchd:scheduledAt")).second)
        << "two jobs for one time";
  }
  EXPECT_EQ(scheduled.size(), jobs.size());
}

TEST_F(Schedules, TriggerSuspendAndResume) {
  Create(Every("manual", "ok", "0 0 1 1 *"));
  ScheduleRef ref;
  ref.set_schedule("manual");
  TriggerScheduleResponse fired;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->TriggerSchedule(&ctx, ref, &fired).ok());
  }
  WaitFor(fired.job_id(), JobStatus::SUCCEEDED);
  const ScheduleDetail s = Get("manual");
  ASSERT_EQ(s.recent_runs_size(), 1);
  EXPECT_EQ(s.recent_runs(0).status_reason(), "triggered by hand");
  EXPECT_EQ(s.recent_runs(0).status(), JobStatus::SUCCEEDED);

  Create(Every("paused", "ok"));
  WaitForRuns("paused", "FIRED", 1);
  Suspend("paused");
  const int runs = Get("paused").recent_runs_size();
  LetTimePass(std::chrono::milliseconds(3500));
  EXPECT_EQ(Get("paused").recent_runs_size(), runs) << "a suspended schedule does not fire";
  {
    grpc::ClientContext ctx;
    ScheduleResponse resp;
    ASSERT_TRUE(stub_->ResumeSchedule(&ctx, ref, &resp).ok());
  }
  ref.set_schedule("paused");
  {
    grpc::ClientContext ctx;
    ScheduleResponse resp;
    ASSERT_TRUE(stub_->ResumeSchedule(&ctx, ref, &resp).ok());
  }
  // Three or four times passed while suspended: the latest fires on resuming, the rest are
  // recorded as missed (catchUp Skip).
  auto missed = WaitForRuns("paused", "MISSED", 2);
  EXPECT_NE(missed.front().status_reason().find("suspended"), std::string::npos);
}

TEST_F(Schedules, ARunItsQueueRefusesIsRecordedAndTheScheduleMovesOn) {
  CreateQueue("later-off", "ce");
  auto req = Every("refused", "ok");
  req.set_job_queue("later-off");
  Create(req);
  WaitForRuns("refused", "FIRED", 1);
  UpdateJobQueueRequest off;
  off.set_job_queue("later-off");
  off.set_state(JQState::DISABLED);
  {
    grpc::ClientContext ctx;
    UpdateJobQueueResponse resp;
    ASSERT_TRUE(stub_->UpdateJobQueue(&ctx, off, &resp).ok());
  }
  auto skipped = WaitForRuns("refused", "SKIPPED", 2);
  EXPECT_EQ(skipped.front().status_reason(),
            "could not submit: job queue \"later-off\" is DISABLED: it accepts no new jobs");
}

TEST_F(Schedules, BadSchedulesAreRefusedNamingTheField) {
  auto check = [&](ScheduleRequest req, grpc::StatusCode code, const std::string& message) {
    grpc::Status s = TryCreate(req);
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_EQ(s.error_message(), message);
  };
  check(Every("bad", "ok", "0 24 * * *"), grpc::StatusCode::INVALID_ARGUMENT,
        "scheduleExpression: field 2 (hour): 24 is outside 0-23");
  check(Every("bad", "ok", "0 0 30 2 *"), grpc::StatusCode::INVALID_ARGUMENT,
        "scheduleExpression: never fires (no date matches it)");
  auto zone = Every("bad", "ok");
  zone.set_time_zone("Mars/Olympus");
  check(zone, grpc::StatusCode::INVALID_ARGUMENT,
        "timeZone: unknown time zone \"Mars/Olympus\" (use an IANA name such as Europe/Paris or "
        "UTC)");
  auto queue = Every("bad", "ok");
  queue.set_job_queue("nope");
  check(queue, grpc::StatusCode::NOT_FOUND, "job queue \"nope\" not found");
  check(Every("bad", "missing"), grpc::StatusCode::NOT_FOUND,
        "job definition \"missing\" has no ACTIVE revision");
  Create(Every("dup", "ok", "@daily"));
  check(Every("dup", "ok", "@daily"), grpc::StatusCode::ALREADY_EXISTS,
        "schedule \"dup\" already exists");
}

}  // namespace
}  // namespace batchd::testing
