// batch-agent's flags, config file and token file.
#include "agent/agent_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "config/agent_config.h"
#include "support/temp_dir.h"

namespace batchd::agent {
namespace {

namespace fs = std::filesystem;

class AgentOptionsTest : public ::testing::Test {
 protected:
  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }
  std::string ErrorOf(const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
  ParsedCommandLine Parse(std::vector<const char*> args) {
    args.insert(args.begin(), "batch-agent");
    return ParseCommandLine(static_cast<int>(args.size()), args.data());
  }

  testing::TempDir dir_;
  int detections_ = 0;
  std::function<MachineResources()> detect_ = [this] {
    ++detections_;
    return MachineResources{.vcpus = 8, .memory_mib = 16000, .gpus = 2};
  };
};

TEST_F(AgentOptionsTest, ConfigFileGivesEveryKey) {
  const fs::path config = Write("agent.yaml", R"(
scheduler: batchd.example:7100
token_file: /etc/batch/token
compute_environment: ce-a
work_dir: /srv/agent
resources: {vcpus: 3, memory_mib: 2048, gpus: 0}
labels: {zone: eu-1, disk: ssd}
drain_grace_seconds: 5
kill_grace_seconds: 2
cgroups: none
allowed_mount_roots: [/data, /scratch]
container_runtime: docker
container_runtime_path: /opt/bin/docker
container_oci_runtime: crun
log_level: debug
)");
  const config::AgentConfig c = config::LoadAgentConfigFile(config);
  EXPECT_EQ(c.scheduler, "batchd.example:7100");
  EXPECT_EQ(c.token_file, "/etc/batch/token");
  EXPECT_EQ(c.compute_environment, "ce-a");
  EXPECT_EQ(c.work_dir, "/srv/agent");
  EXPECT_EQ(c.vcpus, 3);
  EXPECT_EQ(c.memory_mib, 2048);
  EXPECT_EQ(c.gpus, 0);
  EXPECT_EQ(c.labels, (std::map<std::string, std::string>{{"zone", "eu-1"}, {"disk", "ssd"}}));
  EXPECT_EQ(c.drain_grace_seconds, 5);
  EXPECT_EQ(c.kill_grace_seconds, 2);
  EXPECT_EQ(c.cgroups, "none");
  EXPECT_EQ(c.allowed_mount_roots, (std::vector<fs::path>{"/data", "/scratch"}));
  EXPECT_EQ(c.container_runtime, "docker");
  EXPECT_EQ(c.container_runtime_path, "/opt/bin/docker");
  EXPECT_EQ(c.container_oci_runtime, "crun");
  EXPECT_EQ(c.log_level, "debug");
}

TEST_F(AgentOptionsTest, ConfigErrorsNameTheFileLineAndKey) {
  const fs::path unknown = Write("a.yaml", "scheduler: x:1\nschedular: y:2\n");
  EXPECT_EQ(ErrorOf([&] { config::LoadAgentConfigFile(unknown); }).find(unknown.string() + ":2"),
            0u);
  const fs::path nested = Write("b.yaml", "resources:\n  cpus: 2\n");
  EXPECT_NE(ErrorOf([&] {
              config::LoadAgentConfigFile(nested);
            }).find(":2: resources: unknown key 'cpus'"),
            std::string::npos);
  const fs::path range = Write("c.yaml", "resources: {vcpus: 0}\n");
  EXPECT_NE(ErrorOf([&] { config::LoadAgentConfigFile(range); }).find("resources.vcpus"),
            std::string::npos);
  const fs::path relative = Write("d.yaml", "allowed_mount_roots: [data]\n");
  EXPECT_NE(ErrorOf([&] { config::LoadAgentConfigFile(relative); }).find("not an absolute path"),
            std::string::npos);
  const fs::path cgroups = Write("e.yaml", "cgroups: v3\n");
  EXPECT_NE(ErrorOf([&] { config::LoadAgentConfigFile(cgroups); }).find("auto, none"),
            std::string::npos);
  const fs::path runtime = Write("f.yaml", "container_runtime: rkt\n");
  EXPECT_NE(ErrorOf([&] { config::LoadAgentConfigFile(runtime); }).find("container_runtime"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf([&] { config::LoadAgentConfigFile(runtime); }).find("auto, podman, docker, none"),
      std::string::npos);
  const fs::path path = Write("g.yaml", "container_runtime_path: bin/podman\n");
  EXPECT_NE(ErrorOf([&] { config::LoadAgentConfigFile(path); }).find("not an absolute path"),
            std::string::npos);
}

TEST_F(AgentOptionsTest, FlagsOverrideTheFileAndTheMachineFillsTheRest) {
  const fs::path token = Write("token", "\n  tok-abc \t\n");
  const fs::path config = Write("agent.yaml", "scheduler: a:1\ntoken_file: " + token.string() +
                                                  "\nlabels: {zone: a, rack: r1}\n"
                                                  "resources: {vcpus: 3}\n");
  const ParsedCommandLine parsed =
      Parse({"--config", config.c_str(), "--scheduler", "b:2", "--memory-mib", "512", "--label",
             "zone=b", "--label", "extra=x=y", "--work-dir", "relative/work"});
  ASSERT_FALSE(parsed.exit_code) << parsed.message;
  const AgentOptions o = ResolveOptions(parsed.flags, detect_);
  EXPECT_EQ(o.scheduler, "b:2");
  EXPECT_EQ(o.join_token, "tok-abc");
  EXPECT_EQ(o.vcpus, 3);
  EXPECT_EQ(o.memory_mib, 512);
  EXPECT_EQ(o.gpus, 2);  // detected
  EXPECT_EQ(o.labels,
            (std::map<std::string, std::string>{{"zone", "b"}, {"rack", "r1"}, {"extra", "x=y"}}));
  EXPECT_EQ(o.work_dir, fs::current_path() / "relative/work");
  EXPECT_EQ(o.drain_grace_seconds, 60);
  EXPECT_EQ(o.container_runtime.mode, "auto");
  EXPECT_EQ(detections_, 1);

  const ParsedCommandLine all = Parse({"--scheduler", "b:2", "--token-file", token.c_str(),
                                       "--vcpus", "1", "--memory-mib", "1", "--gpus", "0"});
  EXPECT_EQ(ResolveOptions(all.flags, detect_).container_runtime.mode, "auto");
  EXPECT_EQ(detections_, 1);  // nothing left to detect
  const ParsedCommandLine none =
      Parse({"--scheduler", "b:2", "--token-file", token.c_str(), "--vcpus", "1", "--memory-mib",
             "1", "--gpus", "0", "--container-runtime", "none"});
  ASSERT_FALSE(none.exit_code) << none.message;
  EXPECT_EQ(ResolveOptions(none.flags, detect_).container_runtime.mode, "none");
  EXPECT_TRUE(Parse({"--container-runtime", "rkt"}).exit_code);
}

TEST_F(AgentOptionsTest, TokenAndSchedulerProblemsAreClearAndKeepTheTokenOut) {
  const fs::path token = Write("token", "tok-secret-77");
  CommandLine flags;
  flags.token_file = token.string();
  EXPECT_NE(ErrorOf([&] { ResolveOptions(flags, detect_); }).find("no scheduler address"),
            std::string::npos);
  flags.scheduler = "no-port";
  const std::string bad_address = ErrorOf([&] { ResolveOptions(flags, detect_); });
  EXPECT_NE(bad_address.find("\"no-port\""), std::string::npos) << bad_address;
  flags.scheduler = "h:1";
  flags.token_file.reset();
  EXPECT_NE(ErrorOf([&] { ResolveOptions(flags, detect_); }).find("--token-file"),
            std::string::npos);
  flags.token_file = (dir_.path() / "missing").string();
  EXPECT_NE(ErrorOf([&] { ResolveOptions(flags, detect_); }).find("cannot read the token file"),
            std::string::npos);
  flags.token_file = Write("blank", " \n\t\n").string();
  EXPECT_NE(ErrorOf([&] { ResolveOptions(flags, detect_); }).find("is empty"), std::string::npos);
  flags.token_file = token.string();
  flags.log_level = "loud";
  const std::string bad_level = ErrorOf([&] { ResolveOptions(flags, detect_); });
  EXPECT_NE(bad_level.find("loud"), std::string::npos);
  EXPECT_EQ(bad_level.find("tok-secret-77"), std::string::npos);
}

TEST_F(AgentOptionsTest, UsageErrorsAndHelp) {
  EXPECT_EQ(Parse({"--help"}).exit_code, 0);
  EXPECT_EQ(Parse({"--bogus"}).exit_code, kStartupErrorExit);
  EXPECT_EQ(Parse({"--vcpus", "0"}).exit_code, kStartupErrorExit);
  CommandLine flags;
  flags.scheduler = "h:1";
  flags.token_file = Write("token", "t").string();
  flags.labels = {"novalue"};
  EXPECT_NE(ErrorOf([&] { ResolveOptions(flags, detect_); }).find("KEY=VALUE"), std::string::npos);
}

}  // namespace
}  // namespace batchd::agent
