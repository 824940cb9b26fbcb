#pragma once
// What every scenario stands on: a durable PostgreSQL for the whole run (the settings of
// batchd's embedded default: fsync and synchronous_commit on), and per scenario a real batchd
// on a fresh database of it, with helpers for the API calls the scenarios make.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "batch/v1/batch_service.grpc.pb.h"
#include "store/embedded_postgres.h"
#include "support/batchd_process.h"
#include "support/temp_dir.h"

namespace batchd::bench {

class BenchDatabase {
 public:
  // With `statements`, the server keeps pg_stat_statements, planning time included.
  explicit BenchDatabase(bool statements = false);
  // A new, empty database; its connection string.
  std::string Fresh();
  // The `n` statements that took the server longest in the bench's databases, one line each
  // (total and planning times, calls and plans made, time and rows per call, its start).
  std::vector<std::string> TopStatements(int n);

 private:
  testing::TempDir dir_;
  std::unique_ptr<store::EmbeddedPostgres> pg_;
  int databases_ = 0;
};

// batchd's own figures, read from /proc.
struct ProcessUsage {
  double cpu_seconds = 0;  // user + system since it started
  double rss_mib = 0;
  double peak_rss_mib = 0;
};
ProcessUsage UsageOf(pid_t pid);

class BenchCluster {
 public:
  explicit BenchCluster(std::string database_url, std::vector<std::string> batchd_args = {});
  ~BenchCluster();

  batch::v1::BatchService::Stub& api() { return *stub_; }
  const std::string& address() const { return batchd_->address(); }
  std::filesystem::path token_file() const { return dir_.path() / "batchd" / "agent-token"; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  pid_t batchd_pid() const { return batchd_->pid(); }
  // Stops the agents and batchd, then starts batchd again on the same database (the agents
  // are not restarted: StartAgents again).
  void Restart();

  void CreateUnmanagedQueue(const std::string& queue, const std::string& ce);
  void CreateQueue(const std::string& queue, const std::string& ce);
  void RegisterDefinition(const std::string& name, const std::vector<std::string>& command);
  // Real batch-agent processes on the unmanaged environment `ce`, each offering 16 vCPUs:
  // trivial jobs wait on fork/exec and the wire, not on CPU. Waits until all are READY.
  void StartAgents(int count, const std::string& ce, const std::string& agent_config = "");

  batch::v1::SubmitJobRequest Request(const std::string& queue,
                                      const std::string& definition = "true") const;
  std::string Submit(const batch::v1::SubmitJobRequest& request);
  void SubmitAll(const batch::v1::SubmitJobsRequest& request);
  batch::v1::JobDetail Describe(const std::string& job_id);
  // Whether `queue` has any job not yet SUCCEEDED or FAILED.
  bool Busy(const std::string& queue);
  // Polls gently (a tight poll would take CPU from what is measured) until `queue` is idle.
  void WaitIdle(const std::string& queue, std::chrono::seconds timeout);
  int ReadyNodes();

 private:
  void StartBatchd();

  std::string database_url_;
  std::vector<std::string> batchd_args_;
  testing::TempDir dir_;
  std::unique_ptr<testing::BatchdProcess> batchd_;
  std::unique_ptr<batch::v1::BatchService::Stub> stub_;
  std::vector<std::unique_ptr<testing::AgentProcess>> agents_;
};

void Check(const grpc::Status& status, const char* what);

}  // namespace batchd::bench
