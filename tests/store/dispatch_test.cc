#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/statements.h"
#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::JobDetail;
using batch::v1::JobStatus;

class DispatchTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_->CreateComputeEnvironment(MakeCe("ce"));
    store_->CreateJobQueue(MakeQueue("q", {"ce"}));
  }

  std::string Insert(const JobOptions& options, int priority = 0) {
    NewJob job = MakeJob(options);
    job.detail.set_scheduling_priority(priority);
    return store_->InsertJobs({job})[0].job_id();
  }

  std::vector<std::string> Names(const std::vector<JobDetail>& jobs) {
    std::vector<std::string> names;
    for (const auto& job : jobs) names.push_back(job.job_name());
    return names;
  }
};

TEST_F(DispatchTest, LoadJobsReturnsTheAskedStatusesWithRunnableInQueueOrder) {
  const int64_t t0 = 1'700'000'000'000;
  Insert({.name = "late-low", .created_at = t0 + 3, .status = JobStatus::RUNNABLE}, 1);
  Insert({.name = "early-low", .created_at = t0 + 1, .status = JobStatus::RUNNABLE}, 1);
  Insert({.name = "late-high", .created_at = t0 + 5, .status = JobStatus::RUNNABLE}, 9);
  Insert({.name = "running", .created_at = t0, .status = JobStatus::RUNNING});
  Insert({.name = "starting", .created_at = t0, .status = JobStatus::STARTING});
  Insert({.name = "done", .created_at = t0, .status = JobStatus::SUCCEEDED});
  Insert({.name = "new", .created_at = t0, .status = JobStatus::SUBMITTED});

  EXPECT_EQ(Names(store_->LoadJobs({JobStatus::RUNNABLE})),
            (std::vector<std::string>{"late-high", "early-low", "late-low"}));
  auto live = Names(store_->LoadJobs({JobStatus::STARTING, JobStatus::RUNNING}));
  std::sort(live.begin(), live.end());
  EXPECT_EQ(live, (std::vector<std::string>{"running", "starting"}));
  EXPECT_EQ(store_->LoadJobs({JobStatus::PENDING}).size(), 0u);
  EXPECT_EQ(store_->LoadJobs({}).size(), 0u);

  auto full = store_->LoadJobs({JobStatus::SUCCEEDED});
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].container().command(0), "true");  // the whole job, not a summary
}

TEST_F(DispatchTest, ForEachJobPagesThroughTheSameJobsInTheSameOrder) {
  const int64_t t0 = 1'700'000'000'000;
  // More than one page of the cursor (10,000 rows), in a few multi-row inserts.
  std::vector<NewJob> jobs;
  for (int i = 0; i < 10050; ++i) {
    NewJob job = MakeJob(
        {.name = "q-" + std::to_string(i), .created_at = t0 + i, .status = JobStatus::RUNNABLE});
    job.detail.set_scheduling_priority(i % 3);
    jobs.push_back(std::move(job));
    if (jobs.size() == 2500) {
      store_->InsertJobs(jobs);
      jobs.clear();
    }
  }
  store_->InsertJobs(jobs);
  Insert({.name = "done", .created_at = t0, .status = JobStatus::SUCCEEDED});

  std::vector<std::string> paged;
  store_->ForEachJob({JobStatus::RUNNABLE},
                     [&](const JobDetail& job) { paged.push_back(job.job_name()); });
  EXPECT_EQ(paged.size(), 10050u);
  EXPECT_EQ(paged, Names(store_->LoadJobs({JobStatus::RUNNABLE})));
  int calls = 0;
  store_->ForEachJob({}, [&](const JobDetail&) { ++calls; });
  store_->ForEachJob({JobStatus::PENDING}, [&](const JobDetail&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST_F(DispatchTest, UpdateJobsWritesOnlyWhatMutateChangedAndReturnsTheChangedJobs) {
  auto a = Insert({.name = "a", .status = JobStatus::RUNNABLE});
  auto b = Insert({.name = "b", .status = JobStatus::RUNNABLE});
  auto c = Insert({.name = "c", .status = JobStatus::RUNNABLE});
  std::vector<std::string> seen;
  auto changed = store_->UpdateJobs({c, "no-such-job", a, b, a}, [&](JobDetail& job) {
    seen.push_back(job.job_name());
    if (job.job_name() == "b") return false;
    job.set_status(JobStatus::STARTING);
    job.set_status_reason("placed on node-1");
    job.set_started_at(1234);
    auto* attempt = job.add_attempts();
    attempt->set_attempt_id("att-" + job.job_name());
    attempt->set_node_id("node-1");
    attempt->set_attempt_number(1);
    return true;
  });
  // Each existing job once, in id order; the unknown id is skipped.
  EXPECT_EQ(seen.size(), 3u);
  std::vector<std::string> ids = {a, b, c};
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected_seen;
  for (const auto& id : ids) expected_seen.push_back(store_->DescribeJobs({id})[0].job_name());
  EXPECT_EQ(seen, expected_seen);

  ASSERT_EQ(changed.size(), 2u);
  for (const auto& job : changed) EXPECT_EQ(job.status(), JobStatus::STARTING);

  auto jobs = store_->DescribeJobs({a, b, c});
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].status(), JobStatus::STARTING);
  EXPECT_EQ(jobs[0].status_reason(), "placed on node-1");
  EXPECT_EQ(jobs[0].started_at(), 1234);
  EXPECT_EQ(jobs[0].stopped_at(), 0);
  ASSERT_EQ(jobs[0].attempts_size(), 1);
  EXPECT_EQ(jobs[0].attempts(0).attempt_id(), "att-a");
  EXPECT_EQ(jobs[0].attempts(0).node_id(), "node-1");
  EXPECT_EQ(jobs[1].status(), JobStatus::RUNNABLE);
  EXPECT_EQ(jobs[1].attempts_size(), 0);
  EXPECT_EQ(jobs[2].status(), JobStatus::STARTING);
  EXPECT_EQ(Count("SELECT count(*) FROM jobs WHERE version = 2"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM jobs WHERE version = 1"), 1);

  // Terminal flags and stop time travel too; an unchanged job keeps its version.
  store_->UpdateJobs({a}, [](JobDetail& job) {
    job.set_status(JobStatus::FAILED);
    job.set_stopped_at(5678);
    job.set_is_cancelled(true);
    job.set_is_terminated(true);
    return true;
  });
  auto failed = store_->DescribeJobs({a})[0];
  EXPECT_EQ(failed.status(), JobStatus::FAILED);
  EXPECT_EQ(failed.stopped_at(), 5678);
  EXPECT_TRUE(failed.is_cancelled());
  EXPECT_TRUE(failed.is_terminated());
  EXPECT_EQ(failed.attempts_size(), 1);
}

TEST_F(DispatchTest, UpdateJobsWithNothingToDoOrOnlyUnknownIdsChangesNothing) {
  EXPECT_TRUE(store_->UpdateJobs({}, [](JobDetail&) { return true; }).empty());
  EXPECT_TRUE(store_->UpdateJobs({"nope"}, [](JobDetail&) { return true; }).empty());
}

TEST_F(DispatchTest, AThrowingMutateRollsBackEveryJobAndTheLogs) {
  auto a = Insert({.name = "a", .status = JobStatus::RUNNABLE});
  auto b = Insert({.name = "b", .status = JobStatus::RUNNABLE});
  LogRecord log{.attempt_id = "att", .job_id = a, .stream = "stdout", .data = "hi"};
  ExpectApiError(
      [&] {
        store_->UpdateJobs({a, b},
                           [&](JobDetail& job) {
                             if (job.job_id() == std::max(a, b)) {
                               api::ThrowFailedPrecondition("illegal transition");
                             }
                             job.set_status(JobStatus::STARTING);
                             return true;
                           },
                           {log});
      },
      ErrorCode::kFailedPrecondition, "illegal transition");
  EXPECT_EQ(Count("SELECT count(*) FROM jobs WHERE status = 'RUNNABLE' AND version = 1"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM job_logs"), 0);

  ExpectApiError(
      [&] {
        store_->UpdateJobs({a}, [](JobDetail& job) {
          job.set_job_id("other");
          return true;
        });
      },
      ErrorCode::kInvalidArgument, "jobId");
  ExpectApiError([&] { store_->UpdateJobs({}, nullptr, {{.attempt_id = "x", .stream = "log"}}); },
                 ErrorCode::kInvalidArgument, "logs[0].stream");
}

TEST_F(DispatchTest, UpdateJobsStoresLogsOnceEvenWithoutAStateChange) {
  auto a = Insert({.name = "a", .status = JobStatus::RUNNING});
  std::vector<LogRecord> logs = {
      {.attempt_id = "att", .job_id = a, .stream = "stdout", .offset = 0, .at = 1, .data = "he"},
      {.attempt_id = "att", .job_id = a, .stream = "stdout", .offset = 2, .at = 2, .data = "llo"},
      {.attempt_id = "att", .job_id = a, .stream = "stderr", .offset = 0, .at = 3, .data = "e"},
  };
  auto changed = store_->UpdateJobs(
      {a}, [](JobDetail&) { return false; }, logs);
  EXPECT_TRUE(changed.empty());
  EXPECT_EQ(Count("SELECT count(*) FROM job_logs"), 3);
  // The same pieces again (an agent resending after a reconnect), plus one new; no jobs.
  logs.push_back(
      {.attempt_id = "att", .job_id = a, .stream = "stdout", .offset = 5, .at = 4, .data = "!"});
  logs.push_back(logs.back());  // a duplicate within one batch, too
  store_->UpdateJobs({}, nullptr, logs);
  EXPECT_EQ(Count("SELECT count(*) FROM job_logs"), 4);
  EXPECT_EQ(Count("SELECT count(*) FROM job_logs WHERE job_id = '" + a + "'"), 4);

  auto page = store_->ReadLogs("att", "", 0);
  std::string out;
  for (const auto& r : page.records) {
    if (r.stream == "stdout") out += r.data;
  }
  EXPECT_EQ(out, "hello!");
}

TEST_F(DispatchTest, UpdateJobsOverAThousandJobs) {
  constexpr int kJobs = 1000;
  std::vector<NewJob> batch;
  for (int i = 0; i < kJobs; ++i) {
    batch.push_back(MakeJob({.name = "j" + std::to_string(i), .status = JobStatus::RUNNABLE}));
  }
  std::vector<std::string> ids;
  for (const auto& response : store_->InsertJobs(batch)) ids.push_back(response.job_id());
  std::vector<LogRecord> logs;
  for (int i = 0; i < kJobs; ++i) {
    logs.push_back({.attempt_id = "att-" + ids[i],
                    .job_id = ids[i],
                    .stream = "stdout",
                    .data = std::string(200, 'x')});
  }

  auto move_to = [&](JobStatus::Value status) {
    return [status](JobDetail& job) {
      job.set_status(status);
      auto* attempt = job.add_attempts();
      attempt->set_attempt_id("att-" + job.job_id());
      attempt->set_node_id("node-1");
      return true;
    };
  };
  auto start = std::chrono::steady_clock::now();
  auto changed = store_->UpdateJobs(ids, move_to(JobStatus::STARTING));
  auto mid = std::chrono::steady_clock::now();
  store_->UpdateJobs(ids, move_to(JobStatus::RUNNING), logs);
  auto end = std::chrono::steady_clock::now();
  EXPECT_EQ(changed.size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(Count("SELECT count(*) FROM jobs WHERE status = 'RUNNING'"), kJobs);
  EXPECT_EQ(Count("SELECT count(*) FROM job_logs"), kJobs);
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::printf("UpdateJobs over %d jobs: %lld ms; with %d log pieces: %lld ms\n", kJobs,
              static_cast<long long>(duration_cast<milliseconds>(mid - start).count()), kJobs,
              static_cast<long long>(duration_cast<milliseconds>(end - mid).count()));
}

// The scheduler's batch statements are planned for the table they find. Plans cached while
// jobs held a single row would scan the whole table for every batch once it has grown (a
// fresh database under load, before any autovacuum). auto_explain writes every plan the
// store's sessions run into the server log.
TEST_F(DispatchTest, BatchStatementsUseTheIndexOnceTheTableHasGrown) {
  Store store(url_ +
                  " options='-c session_preload_libraries=auto_explain"
                  " -c auto_explain.log_min_duration=0'",
              1);
  const std::string first = Insert({.status = JobStatus::RUNNING});
  const auto touch = [](JobDetail& job) {
    job.set_status_reason(job.status_reason() + "x");
    return true;
  };
  // PostgreSQL settles on a generic plan for a prepared statement after five calls.
  for (int i = 0; i < 8; ++i) {
    store.DescribeJobs({first});
    store.JobStatuses({first});
    store.UpdateJobs({first}, touch);
  }
  std::vector<std::string> ids;
  std::vector<NewJob> jobs;
  for (int i = 0; i < 20000; ++i) {
    jobs.push_back(MakeJob({.name = "j-" + std::to_string(i), .status = JobStatus::RUNNING}));
    ids.push_back(jobs.back().detail.job_id());
    if (jobs.size() == 5000) {
      store_->InsertJobs(jobs);
      jobs.clear();
    }
  }
  const auto log_file = batchd::testing::ServerLogFile();
  const auto log_before = std::filesystem::file_size(log_file);

  const std::vector<std::string> some(ids.begin(), ids.begin() + 20);
  EXPECT_EQ(store.DescribeJobs(some).size(), some.size());
  EXPECT_EQ(store.JobStatuses(some).size(), some.size());
  EXPECT_EQ(store.UpdateJobs(some, touch).size(), some.size());

  std::ifstream in(log_file);
  in.seekg(static_cast<std::streamoff>(log_before));
  const std::string plans((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(plans.find("job_id = ANY"), std::string::npos) << plans;
  EXPECT_NE(plans.find("Index"), std::string::npos) << plans;
  EXPECT_EQ(plans.find("Seq Scan on jobs"), std::string::npos) << plans;
}

// The two statements the dispatcher runs for every batch are planned once per connection, and
// that plan, made here on an empty table, still probes the primary key.
TEST_F(DispatchTest, TheDispatchersBatchStatementsArePlannedOnceOnThePrimaryKey) {
  pqxx::connection conn(url_);
  internal::PrepareDispatchStatements(conn);
  std::vector<std::string> plans;
  for (int i = 0; i < 8; ++i) {
    pqxx::work txn(conn);
    txn.exec(internal::kPrimaryKeyPlans);
    EXPECT_EQ(txn.exec_prepared("jobs_lock_batch", "{a,b}").size(), 0u);
    EXPECT_EQ(txn.exec_prepared("jobs_update_batch", "{a}", "{RUNNING}", "{\"\"}", "{NULL}",
                                "{NULL}", "{f}", "{f}", "{\"\"}")
                  .affected_rows(),
              0u);
    if (i == 7) {
      for (const char* explain :
           {"EXPLAIN EXECUTE jobs_lock_batch('{a,b}')",
            "EXPLAIN EXECUTE jobs_update_batch('{a}', '{RUNNING}', '{\"\"}', '{NULL}', '{NULL}', "
            "'{f}', '{f}', '{\"\"}')"}) {
        std::string plan;
        for (const auto& row : txn.exec(explain)) plan += std::string(row[0].c_str()) + "\n";
        plans.push_back(plan);
      }
    }
    txn.commit();
  }
  for (const std::string& plan : plans) {
    EXPECT_NE(plan.find("jobs_pkey"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << plan;
  }
  pqxx::work txn(conn);
  const auto counts = txn.exec(
      "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
      "WHERE name IN ('jobs_lock_batch', 'jobs_update_batch') ORDER BY name");
  ASSERT_EQ(counts.size(), 2u);
  for (const auto& row : counts) {
    EXPECT_EQ(row[2].as<int>(), 0) << row[0].c_str() << " was planned for its arguments";
    EXPECT_GE(row[1].as<int>(), 8) << row[0].c_str();
  }
}

}  // namespace
}  // namespace batchd::store
