// The batchd binary itself: startup on embedded PostgreSQL, clean stop, restart, and the ways
// it refuses to start.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "batch/v1/batch_service.grpc.pb.h"
#include "support/batchd_process.h"
#include "support/postgres_env.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

namespace fs = std::filesystem;
using batch::v1::BatchService;

std::unique_ptr<BatchService::Stub> Client(const std::string& address) {
  return BatchService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

grpc::Status CreateCe(BatchService::Stub& stub, const std::string& name) {
  batch::v1::CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name(name);
  req.set_type(batch::v1::CEType::UNMANAGED);
  req.set_state(batch::v1::CEState::ENABLED);
  batch::v1::CreateComputeEnvironmentResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub.CreateComputeEnvironment(&ctx, req, &resp);
}

std::vector<std::string> CeNames(BatchService::Stub& stub) {
  batch::v1::DescribeComputeEnvironmentsRequest req;
  batch::v1::DescribeComputeEnvironmentsResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status status = stub.DescribeComputeEnvironments(&ctx, req, &resp);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> names;
  for (const auto& ce : resp.compute_environments()) names.push_back(ce.compute_environment_name());
  return names;
}

pid_t PostmasterPid(const fs::path& data_dir) {
  std::ifstream in(data_dir / "postgres" / "postmaster.pid");
  pid_t pid = -1;
  in >> pid;
  return pid;
}

// Gone, or a zombie nobody reaps (PID 1 here does not): either way no longer serving.
bool Dead(pid_t pid) {
  if (kill(pid, 0) != 0) return true;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Batchd, ServesOnEmbeddedPostgresAndStopsCleanlyOnSigterm) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  BatchdProcess batchd({.data_dir = data});

  EXPECT_TRUE(batchd.address().starts_with("127.0.0.1:")) << batchd.address();
  EXPECT_NE(batchd.address(), "127.0.0.1:0");
  EXPECT_TRUE(
      Contains(batchd.Log(), "database: embedded PostgreSQL 15 in " + (data / "postgres").string()))
      << batchd.Log();
  EXPECT_TRUE(Contains(batchd.Log(), "listening on " + batchd.address())) << batchd.Log();
  auto stub = Client(batchd.address());
  grpc::Status created = CreateCe(*stub, "ce-a");
  EXPECT_TRUE(created.ok()) << created.error_message();

  const pid_t postmaster = PostmasterPid(data);
  ASSERT_GT(postmaster, 0);
  EXPECT_EQ(batchd.Stop(), 0) << batchd.Log();
  EXPECT_TRUE(kill(postmaster, 0) != 0) << "batchd stopped and reaped its PostgreSQL";
  EXPECT_FALSE(fs::exists(data / "batchd.addr"));
  EXPECT_FALSE(fs::exists(data / "postgres" / "postmaster.pid"));
  EXPECT_TRUE(Contains(batchd.Log(), "received SIGTERM, shutting down")) << batchd.Log();
}

TEST(Batchd, SecondStartReusesTheClusterAndItsData) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  {
    BatchdProcess first({.data_dir = data});
    ASSERT_TRUE(CreateCe(*Client(first.address()), "kept").ok());
    ASSERT_EQ(first.Stop(), 0);
  }
  BatchdProcess second({.data_dir = data});
  EXPECT_EQ(CeNames(*Client(second.address())), std::vector<std::string>{"kept"});
  EXPECT_EQ(second.Stop(), 0);
}

TEST(Batchd, AKilledBatchdTakesItsPostgresDownAndRestartsOnTheSameData) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  pid_t postmaster;
  {
    BatchdProcess first({.data_dir = data});
    ASSERT_TRUE(CreateCe(*Client(first.address()), "survivor").ok());
    postmaster = PostmasterPid(data);
    first.Kill();
  }
  // No destructor ran in batchd; the server's parent-death signal stops it.
  EXPECT_TRUE(PollUntil([&] { return Dead(postmaster); }, std::chrono::seconds(30)));
  BatchdProcess second({.data_dir = data});
  EXPECT_EQ(CeNames(*Client(second.address())), std::vector<std::string>{"survivor"});
}

TEST(Batchd, RestartRightAfterAKillStopsTheOldServerFirst) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  {
    BatchdProcess first({.data_dir = data});
    first.Kill();
  }
  // The old server may still be shutting down: the new batchd waits for it, not fails.
  BatchdProcess second({.data_dir = data});
  EXPECT_EQ(second.Stop(), 0);
}

TEST(Batchd, UnreachableDatabaseExitsOneWithoutLeakingThePassword) {
  TempDir tmp;
  CommandResult r = RunCommand({BatchdBinary(), "--data-dir", (tmp.path() / "d").string(),
                                "--listen", "127.0.0.1:0", "--database-url",
                                "postgresql://batchd:hunter2@127.0.0.1:1/batchd"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "database: postgresql://batchd:***@127.0.0.1:1/batchd")) << r.err;
  EXPECT_TRUE(Contains(r.err, "batchd cannot run: database unavailable")) << r.err;
  EXPECT_FALSE(Contains(r.err + r.out, "hunter2")) << r.err;
}

TEST(Batchd, UsesAGivenDatabaseUrl) {
  TempDir tmp;
  BatchdProcess batchd({.data_dir = tmp.path() / "d", .database_url = FreshDatabaseUrl()});
  EXPECT_TRUE(CreateCe(*Client(batchd.address()), "ce").ok());
  EXPECT_FALSE(fs::exists(tmp.path() / "d" / "postgres")) << "no embedded cluster";
  EXPECT_EQ(batchd.Stop(), 0);
}

TEST(Batchd, SigintStopsItCleanlyToo) {
  TempDir tmp;
  BatchdProcess batchd({.data_dir = tmp.path() / "d", .database_url = FreshDatabaseUrl()});
  ASSERT_EQ(kill(batchd.pid(), SIGINT), 0);
  // Stop()'s own SIGTERM may land during the shutdown SIGINT began; the exit stays clean.
  EXPECT_EQ(batchd.Stop(), 0) << batchd.Log();
  EXPECT_TRUE(Contains(batchd.Log(), "received SIGINT, shutting down")) << batchd.Log();
}

TEST(Batchd, AddressInUseExitsOne) {
  TempDir tmp;
  BatchdProcess first({.data_dir = tmp.path() / "a", .database_url = FreshDatabaseUrl()});
  CommandResult r = RunCommand({BatchdBinary(), "--data-dir", (tmp.path() / "b").string(),
                                "--listen", first.address(), "--database-url", FreshDatabaseUrl()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "cannot listen on " + first.address())) << r.err;
}

TEST(Batchd, SecondBatchdOnTheSameDataDirExitsOne) {
  TempDir tmp;
  const fs::path data = tmp.path() / "data";
  BatchdProcess first({.data_dir = data, .database_url = FreshDatabaseUrl()});
  CommandResult r = RunCommand({BatchdBinary(), "--data-dir", data.string(), "--listen",
                                "127.0.0.1:0", "--database-url", FreshDatabaseUrl()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "another batchd is using the data directory " + data.string()))
      << r.err;
  EXPECT_TRUE(fs::exists(data / "batchd.addr")) << "the first one's address file is left alone";
}

TEST(Batchd, BadConfigFileExitsOneNamingTheLine) {
  TempDir tmp;
  const fs::path file = tmp.path() / "batchd.yaml";
  std::ofstream(file) << "listen: 127.0.0.1:0\nlog_levle: debug\n";
  CommandResult r = RunCommand({BatchdBinary(), "--config", file.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, file.string() + ":2: unknown key 'log_levle'")) << r.err;
}

TEST(Batchd, ConfigFileIsReadAndFlagsWin) {
  TempDir tmp;
  const fs::path file = tmp.path() / "batchd.yaml";
  std::ofstream(file) << "listen: 127.0.0.1:1\nlog_level: warn\ndatabase_url: \""
                      << FreshDatabaseUrl() << "\"\n";
  // --listen from BatchdProcess wins over the file's port 1; warn hides the info lines.
  BatchdProcess batchd({.data_dir = tmp.path() / "d", .extra_args = {"--config", file.string()}});
  EXPECT_FALSE(Contains(batchd.Log(), "listening on")) << batchd.Log();
  EXPECT_TRUE(CreateCe(*Client(batchd.address()), "ce").ok());
}

}  // namespace
}  // namespace batchd::testing
