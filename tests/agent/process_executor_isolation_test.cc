// What a job may see and be: bind mounts and the user it runs as.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "process_executor_fixture.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::LaunchAttempt;

namespace fs = std::filesystem;

class ProcessExecutorMountsTest : public ProcessExecutorTest {
 protected:
  void SetUp() override {
    fs::create_directories(host_);
    fs::create_directories(target_);
    std::ofstream(host_ / "hello.txt") << "from the host\n";
    options_.allowed_mount_roots = {dir_.path() / "shared"};
  }
  LaunchAttempt Mounting(const std::string& id, const std::string& host, bool read_only,
                         const std::string& script) {
    LaunchAttempt attempt = Script(id, script);
    auto* volume = attempt.mutable_container()->add_volumes();
    volume->set_name("data");
    volume->mutable_host()->set_source_path(host);
    auto* point = attempt.mutable_container()->add_mount_points();
    point->set_source_volume("data");
    point->set_container_path(target_.string());
    point->set_read_only(read_only);
    return attempt;
  }

  fs::path host_ = dir_.path() / "shared" / "data";
  fs::path target_ = dir_.path() / "mnt";
};

TEST_F(ProcessExecutorMountsTest, BindsAllowedHostPathsReadOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "bind mounts need root";
  const std::string target = target_.string();
  const AttemptStatus end =
      Run(Mounting("mount-1", host_.string(), true,
                   "cat " + target + "/hello.txt; if touch " + target +
                       "/new 2>/dev/null; then echo writable; else echo read-only; fi"));
  EXPECT_EQ(end.exit_code(), 0) << end.reason();
  EXPECT_EQ(ReadOutput("mount-1"), "from the host\nread-only\n");
  // The mount lived in the job's own namespace only.
  EXPECT_TRUE(fs::is_empty(target_));

  const AttemptStatus writable =
      Run(Mounting("mount-2", host_.string(), false, "echo written > " + target + "/new"));
  EXPECT_EQ(writable.exit_code(), 0) << writable.reason();
  EXPECT_TRUE(fs::exists(host_ / "new"));
}

TEST_F(ProcessExecutorMountsTest, RefusesHostPathsOutsideTheAllowedRoots) {
  const AttemptStatus end = Run(Mounting("mount-3", "/etc", true, "true"));
  EXPECT_EQ(end.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_NE(end.reason().find("/etc"), std::string::npos) << end.reason();
  EXPECT_NE(end.reason().find("allowed mount root"), std::string::npos) << end.reason();
  EXPECT_FALSE(end.infrastructure());
  EXPECT_FALSE(log_.Has("mount-3", AttemptState::RUNNING));
}

TEST_F(ProcessExecutorTest, RunsAsTheRequestedUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  auto attempt = Script("user-1", "id -u; id -g; echo $HOME");
  attempt.mutable_container()->set_user("nobody");
  const AttemptStatus end = Run(attempt);
  EXPECT_EQ(end.exit_code(), 0) << end.reason();
  EXPECT_EQ(ReadOutput("user-1"), "65534\n65534\n/nonexistent\n");

  auto by_id = Job("user-2", {"id", "-u"});
  by_id.mutable_container()->set_user("4242");
  EXPECT_EQ(Run(by_id).exit_code(), 0);
  EXPECT_EQ(ReadOutput("user-2"), "4242\n");
}

TEST_F(ProcessExecutorTest, UnknownUserIsALaunchFailureNamingIt) {
  auto attempt = Job("user-3", {"true"});
  attempt.mutable_container()->set_user("no-such-user-xyz");
  const AttemptStatus end = Run(attempt);
  EXPECT_EQ(end.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_NE(end.reason().find("no-such-user-xyz"), std::string::npos) << end.reason();
}

}  // namespace
}  // namespace batchd::agent
