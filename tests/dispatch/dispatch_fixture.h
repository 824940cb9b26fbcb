#pragma once
// A real batchd (on a fresh database of the shared test PostgreSQL) with real batch-agent
// processes, driven over real gRPC: what a user sees, end to end.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "batch/v1/batch_service.grpc.pb.h"
#include "support/batchd_process.h"
#include "support/temp_dir.h"

namespace batchd::testing {

struct DefinitionSpec {
  std::vector<std::string> command{};
  std::string script{};
  int vcpus = 1;
  int memory_mib = 64;
  int attempts = 1;
  int timeout_seconds = 0;
  std::map<std::string, std::string> environment{};
  std::map<std::string, std::string> parameters{};
  std::vector<batch::v1::EvaluateOnExit> evaluate_on_exit{};
  std::string image{};
  std::string image_pull_policy{};
};

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // (Re)starts batchd on the test's database; `port` 0 = any.
  void StartBatchd(int port = 0);
  int Port() const;

  void CreateCe(const std::string& name);
  void CreateComputeEnvironment(const batch::v1::CreateComputeEnvironmentRequest& request);
  void UpdateComputeEnvironment(const batch::v1::UpdateComputeEnvironmentRequest& request);
  void CreateQueue(const std::string& name, const std::string& ce, int priority = 1);
  void Register(const std::string& name, const DefinitionSpec& spec);
  std::string Submit(const std::string& queue, const std::string& definition,
                     const std::map<std::string, std::string>& parameters = {});

  // Starts an agent in its own work dir and waits until batchd lists its node READY.
  AgentProcess& StartAgent(const std::string& name, const std::string& ce, int vcpus = 2,
                           int memory_mib = 2048, std::vector<std::string> extra_args = {});
  std::filesystem::path AgentDir(const std::string& name) const;

  batch::v1::JobDetail Describe(const std::string& id);
  // Polls until the job has `status` (asserting on a terminal status that is not it).
  batch::v1::JobDetail WaitFor(const std::string& id, batch::v1::JobStatus::Value status,
                               std::chrono::seconds timeout = std::chrono::seconds(30));
  // A request for `definition` on `queue` named "job", for tests to add to.
  static batch::v1::SubmitJobRequest Request(const std::string& queue,
                                             const std::string& definition);
  grpc::Status TrySubmit(const batch::v1::SubmitJobRequest& request, std::string* job_id);
  std::string Submit(const batch::v1::SubmitJobRequest& request);
  // One SubmitJobs call per 1,000.
  std::vector<std::string> SubmitAll(const std::vector<batch::v1::SubmitJobRequest>& requests);
  // Every job of `ids`, described (in pages of 100).
  std::vector<batch::v1::JobDetail> DescribeAll(const std::vector<std::string>& ids);
  // An array's children in index order, every status.
  std::vector<batch::v1::JobSummary> Children(const std::string& parent_id);
  std::vector<batch::v1::NodeDetail> Nodes();
  // The latest attempt's stdout and stderr as stored, in order.
  std::string Logs(const std::string& id);
  batch::v1::ExplainJobResponse Explain(const std::string& id);
  grpc::Status Terminate(const std::string& id, const std::string& reason);
  grpc::Status TryCreateSchedule(const batch::v1::ScheduleRequest& request,
                                 batch::v1::ScheduleResponse* response = nullptr);
  // The schedule with up to 1,000 of its runs; the call's status when batchd does not answer
  // (it may be restarting) or has no such schedule.
  grpc::Status DescribeSchedule(const std::string& name, batch::v1::ScheduleDetail* schedule);
  // Polls until the schedule's recent runs hold `n` with `outcome` (that `also` accepts, when
  // given), asserting they come within `timeout`; polls on while batchd does not answer.
  std::vector<batch::v1::ScheduleRun> WaitForScheduleRuns(
      const std::string& name, const std::string& outcome, int n, std::chrono::seconds timeout,
      const std::function<bool(const batch::v1::ScheduleRun&)>& also = nullptr);
  grpc::Status Cancel(const std::string& id, const std::string& reason);
  // Everything batchd and the agents logged, for failure messages.
  std::string Diagnostics();

  std::unique_ptr<TempDir> dir_;
  std::string database_url_;
  std::unique_ptr<BatchdProcess> batchd_;
  std::unique_ptr<batch::v1::BatchService::Stub> stub_;
  std::map<std::string, std::unique_ptr<AgentProcess>> agents_;
};

// Whether `pid` is gone (or a zombie no one reaped).
bool ProcessGone(int pid);

}  // namespace batchd::testing
