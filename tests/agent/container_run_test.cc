// The container command line and env file built from a LaunchAttempt: no runtime needed.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/executor/container_run.h"
#include "agent/executor/launch_error.h"
#include "support/temp_dir.h"

namespace batchd::agent {
namespace {

using batch::v1::LaunchAttempt;

ContainerRuntime Podman() { return {"podman", "/usr/bin/podman", {"--cgroup-manager=cgroupfs"}}; }

LaunchAttempt Attempt() {
  LaunchAttempt a;
  a.set_attempt_id("att-1");
  a.set_job_id("job-1");
  a.set_attempt_number(2);
  a.set_job_queue("q");
  a.set_compute_environment("ce");
  a.set_vcpus(2);
  a.set_memory_mib(256);
  auto* c = a.mutable_container();
  c->set_image("localhost/tool:1");
  c->add_command("echo");
  c->add_command("hi there");
  return a;
}

ContainerRunPlan Plan() {
  ContainerRunPlan plan;
  plan.name = ContainerName("att-1");
  plan.env_file = "/work/attempts/att-1/container.env";
  plan.work_dir = "/work";
  plan.default_ulimits = {{"nofile", 20000, 20000}, {"nproc", 100, 100}};
  return plan;
}

bool Has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(ContainerRunCommand, MapsTheJobToRunOptions) {
  LaunchAttempt a = Attempt();
  auto* c = a.mutable_container();
  c->set_user("nobody");
  c->set_privileged(true);
  c->set_readonly_root_filesystem(true);
  c->set_working_directory("/data");
  c->set_network_mode("none");
  c->set_image_pull_policy("Never");
  auto* u = c->add_ulimits();
  u->set_name("nofile");
  u->set_soft_limit(64);
  u->set_hard_limit(128);
  ContainerRunPlan plan = Plan();
  plan.mounts = {{"/srv/in", "/in", true, 0}, {"/srv/out", "/out", false, 0}};
  const auto argv = ContainerRunCommand(Podman(), a, plan);
  ASSERT_GE(argv.size(), 4u);
  EXPECT_EQ(argv[0], "/usr/bin/podman");
  EXPECT_EQ(argv[1], "--cgroup-manager=cgroupfs");
  EXPECT_EQ(argv[2], "run");
  for (const char* expected :
       {"--name=batchd-att-1", "--label=batchd.attempt=att-1", "--label=batchd.work_dir=/work",
        "--pull=never", "--env-file=/work/attempts/att-1/container.env", "--cpus=2",
        "--memory=256m", "--memory-swap=256m", "--user=nobody", "--privileged", "--read-only",
        "--workdir=/data", "--network=none", "--ulimit=nofile=64:128", "--ulimit=nproc=100:100",
        "--mount=type=bind,source=/srv/in,destination=/in,readonly=true",
        "--mount=type=bind,source=/srv/out,destination=/out", "--log-driver=passthrough"}) {
    EXPECT_TRUE(Has(argv, expected)) << expected;
  }
  // The job's own ulimit replaces the default of the same name.
  EXPECT_FALSE(Has(argv, "--ulimit=nofile=20000:20000"));
  const std::vector<std::string> tail(argv.end() - 3, argv.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"localhost/tool:1", "echo", "hi there"}));
}

TEST(ContainerRunCommand, ScriptRunsInTheImagesShellAndNoCommandKeepsTheImagesOwn) {
  LaunchAttempt a = Attempt();
  a.mutable_container()->clear_command();
  a.mutable_container()->set_script("echo $X");
  auto argv = ContainerRunCommand(Podman(), a, Plan());
  EXPECT_EQ(std::vector<std::string>(argv.end() - 4, argv.end()),
            (std::vector<std::string>{"localhost/tool:1", "/bin/sh", "-c", "echo $X"}));
  a.mutable_container()->clear_script();
  argv = ContainerRunCommand(Podman(), a, Plan());
  EXPECT_EQ(argv.back(), "localhost/tool:1");
}

TEST(ContainerRunCommand, GpusAndTheDockerCli) {
  LaunchAttempt a = Attempt();
  a.set_gpus(2);
  EXPECT_TRUE(Has(ContainerRunCommand(Podman(), a, Plan()), "--device=nvidia.com/gpu=all"));
  const ContainerRuntime docker{"docker", "/usr/bin/docker", {}};
  const auto argv = ContainerRunCommand(docker, a, Plan());
  EXPECT_EQ(argv[1], "run");
  EXPECT_TRUE(Has(argv, "--gpus=2"));
  // Output reaches the attempt files through the attached CLI; docker has no passthrough.
  EXPECT_FALSE(Has(argv, "--log-driver=passthrough"));
}

TEST(ContainerRunCommand, PullPolicies) {
  EXPECT_EQ(PullValue(""), "missing");
  EXPECT_EQ(PullValue("IfNotPresent"), "missing");
  EXPECT_EQ(PullValue("Always"), "always");
  EXPECT_EQ(PullValue("Never"), "never");
}

TEST(ContainerRunCommand, TheEnvironmentStaysOffTheCommandLine) {
  LaunchAttempt a = Attempt();
  auto* v = a.mutable_container()->add_environment();
  v->set_name("API_TOKEN");
  v->set_value("s3cret");
  for (const std::string& arg : ContainerRunCommand(Podman(), a, Plan())) {
    EXPECT_EQ(arg.find("s3cret"), std::string::npos) << arg;
  }
  const std::string env = ContainerEnvFile(a);
  EXPECT_NE(env.find("API_TOKEN=s3cret\n"), std::string::npos) << env;
  EXPECT_NE(env.find("AWS_BATCH_JOB_ID=job-1\n"), std::string::npos) << env;
  EXPECT_NE(env.find("BATCH_JOB_ATTEMPT=2\n"), std::string::npos) << env;
  EXPECT_NE(env.find("AWS_BATCH_JQ_NAME=q\n"), std::string::npos) << env;
  // PATH and HOME are the image's business unless the job sets them.
  EXPECT_EQ(env.find("PATH="), std::string::npos) << env;
  EXPECT_EQ(env.find("HOME="), std::string::npos) << env;
}

TEST(ContainerRunCommand, ALineBreakInAValueIsRefused) {
  LaunchAttempt a = Attempt();
  auto* v = a.mutable_container()->add_environment();
  v->set_name("MULTI");
  v->set_value("a\nb");
  try {
    ContainerEnvFile(a);
    FAIL() << "no error";
  } catch (const LaunchError& e) {
    EXPECT_NE(std::string(e.what()).find("MULTI"), std::string::npos) << e.what();
  }
}

TEST(DescribeRunFailure, PullFailuresInAwsForm) {
  EXPECT_EQ(DescribeRunFailure("localhost/nope:1", "Never",
                               "some job output\nError: localhost/nope:1: image not known\n"),
            "CannotPullContainerError: image localhost/nope:1 is not present on the node and "
            "imagePullPolicy is Never");
  EXPECT_EQ(DescribeRunFailure("example.com/x:1", "Always",
                               "Trying to pull example.com/x:1...\nError: initializing source "
                               "docker://example.com/x:1: pinging container registry "
                               "example.com: dial tcp: lookup example.com: no such host\n"),
            "CannotPullContainerError: initializing source docker://example.com/x:1: pinging "
            "container registry example.com: dial tcp: lookup example.com: no such host");
  EXPECT_EQ(DescribeRunFailure("i", "",
                               "Error: runc: runc create failed: exec: \"nosuch\": "
                               "executable file not found in $PATH\n"),
            "CannotStartContainerError: runc: runc create failed: exec: \"nosuch\": executable "
            "file not found in $PATH");
}

TEST(ResolveContainerMounts, HostPathsOutsideTheAllowListAreRefused) {
  testing::TempDir dir;
  const auto attempt_dir = dir.path() / "attempt";
  const auto allowed = dir.path() / "shared";
  std::filesystem::create_directories(attempt_dir);
  std::filesystem::create_directories(allowed / "in");
  batch::v1::ContainerDetail c;
  auto* ok = c.add_volumes();
  ok->set_name("in");
  ok->mutable_host()->set_source_path((allowed / "in").string());
  auto* point = c.add_mount_points();
  point->set_source_volume("in");
  point->set_container_path("/not/on/this/host");
  point->set_read_only(true);
  const auto mounts = ResolveContainerMounts(c, attempt_dir, {allowed});
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].target, "/not/on/this/host");
  EXPECT_TRUE(mounts[0].read_only);

  auto* etc = c.add_volumes();
  etc->set_name("etc");
  etc->mutable_host()->set_source_path("/etc");
  auto* bad = c.add_mount_points();
  bad->set_source_volume("etc");
  bad->set_container_path("/host-etc");
  try {
    ResolveContainerMounts(c, attempt_dir, {allowed});
    FAIL() << "no error";
  } catch (const LaunchError& e) {
    EXPECT_NE(std::string(e.what()).find("host path /etc is not allowed"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace batchd::agent
