// Which container runtime the agent takes: one counts only when it answers.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "agent/executor/container_runtime.h"
#include "support/temp_dir.h"

namespace batchd::agent {
namespace {

std::string FakeCli(const testing::TempDir& dir, const std::string& name, const std::string& body) {
  const auto path = dir.path() / name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path.string();
}

ContainerRuntimeSettings Settings(const std::string& mode, const std::string& path = "") {
  ContainerRuntimeSettings settings;
  settings.mode = mode;
  settings.path = path;
  return settings;
}

TEST(FindContainerRuntime, NoneFindsNone) {
  const RuntimeSearch search = FindContainerRuntime(Settings("none"));
  EXPECT_FALSE(search.runtime);
  EXPECT_NE(search.note.find("container_runtime: none"), std::string::npos) << search.note;
}

TEST(FindContainerRuntime, ADockerCliWithoutADaemonDoesNotCount) {
  testing::TempDir dir;
  const std::string docker = FakeCli(
      dir, "docker",
      "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1");
  const RuntimeSearch search = FindContainerRuntime(Settings("auto", docker));
  EXPECT_FALSE(search.runtime);
  EXPECT_NE(search.note.find("Cannot connect to the Docker daemon"), std::string::npos)
      << search.note;
  try {
    FindContainerRuntime(Settings("docker", docker));
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("container_runtime docker is unusable"), std::string::npos)
        << e.what();
  }
}

TEST(FindContainerRuntime, AnAnsweringDockerCliIsTakenWithoutPodmanOptions) {
  testing::TempDir dir;
  const std::string docker = FakeCli(dir, "docker", "exit 0");
  const RuntimeSearch search = FindContainerRuntime(Settings("auto", docker));
  ASSERT_TRUE(search.runtime) << search.note;
  EXPECT_EQ(search.runtime->name, "docker");
  EXPECT_TRUE(search.runtime->global_args.empty());
}

TEST(FindContainerRuntime, PodmanIsPreferredAndGetsItsEngineOptions) {
  const RuntimeSearch search = FindContainerRuntime(Settings("auto"));
  ASSERT_TRUE(search.runtime) << "the container tests need podman: " << search.note;
  EXPECT_EQ(search.runtime->name, "podman");
  const auto& args = search.runtime->global_args;
  EXPECT_NE(std::find(args.begin(), args.end(), "--cgroup-manager=cgroupfs"), args.end());
}

}  // namespace
}  // namespace batchd::agent
