// What batchctl says when the command line is wrong or batchd cannot be reached.
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_fixture.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A loopback port nothing listens on: bound by us, then released.
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

CommandResult Batchctl(const std::vector<std::string>& args,
                       const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {BatchctlBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, "", env);
}

TEST(BatchctlErrors, UnreachableServerIsOneClearLine) {
  const std::string addr = "127.0.0.1:" + std::to_string(UnusedPort());
  auto r = Batchctl({"--server", addr, "get", "jobs"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.err, "batchctl: cannot reach batchd at " + addr +
                       ": connection refused (is batchd running? set --server or BATCHD_ADDR)\n");
  EXPECT_EQ(r.out, "");
}

TEST(BatchctlErrors, ServerComesFromTheEnvironment) {
  const std::string addr = "127.0.0.1:" + std::to_string(UnusedPort());
  auto r = Batchctl({"get", "ce"}, {"BATCHD_ADDR=" + addr});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot reach batchd at " + addr));
}

TEST(BatchctlErrors, UsageErrorsExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string err_start;
  };
  const std::vector<Case> cases = {
      {{}, "batchctl: a command is required"},
      {{"get"}, "batchctl: get needs a resource type"},
      {{"get", "widgets"}, "batchctl: unknown resource type \"widgets\" for get"},
      {{"get", "jobs", "-o", "xml"}, "batchctl: --output: xml not in"},
      {{"submit", "-q", "q", "-d", "d", "--env", "NOEQUALS"},
       "batchctl: --env: expected KEY=VALUE, got \"NOEQUALS\""},
      {{"submit", "-q", "q", "-d", "d", "--param", "=v"}, "batchctl: --param: "},
      {{"submit", "-q", "q"}, "batchctl: --definition is required"},
      {{"get", "jobs", "--status", "DONE"}, "batchctl: --status: must be one of"},
      {{"wait"}, "batchctl: ID is required"},
      {{"describe", "job"}, "batchctl: NAME is required"},
      {{"apply"}, "batchctl: --filename is required"},
      {{"frobnicate"}, "batchctl: The following argument was not expected: frobnicate"},
  };
  for (const auto& c : cases) {
    auto r = Batchctl(c.args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(c.args) << "\n" << Describe(r);
    EXPECT_THAT(r.err, StartsWith(c.err_start)) << ::testing::PrintToString(c.args);
  }
}

TEST(BatchctlErrors, VersionNeedsNoServer) {
  auto r = Batchctl({"--server", "127.0.0.1:1", "version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("batchctl "));
  EXPECT_EQ(Batchctl({"--version"}).out, r.out);
}

TEST(BatchctlErrors, HelpExitsZero) {
  auto r = Batchctl({"submit", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--depends-on"));
}

}  // namespace
}  // namespace batchd::testing
