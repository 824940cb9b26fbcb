#include "agent/cgroup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace batchd::agent {
namespace {

TEST(Cgroup, FindsKeyedValues) {
  const std::string events = "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n";
  EXPECT_EQ(FindKeyedValue(events, "oom_kill"), 1);
  EXPECT_EQ(FindKeyedValue(events, "oom"), 2);
  EXPECT_EQ(FindKeyedValue("oom_kill_disable 0\nunder_oom 0\noom_kill 3", "oom_kill"), 3);
  EXPECT_FALSE(FindKeyedValue("oom_kill_disable 0\n", "oom_kill"));
  EXPECT_EQ(FindKeyedValue("usage_usec 123456\nuser_usec 1\n", "usage_usec"), 123456);
}

TEST(Cgroup, FormatsCpuMax) {
  EXPECT_EQ(FormatCpuMax(1), "100000 100000");
  EXPECT_EQ(FormatCpuMax(16), "1600000 100000");
}

TEST(Cgroup, ParentNameIsStablePerWorkDir) {
  const std::string a = CgroupParentName("/var/lib/batch-agent");
  EXPECT_EQ(a, CgroupParentName("/var/lib/batch-agent"));
  EXPECT_EQ(a.rfind("batchd/batch-agent-", 0), 0u) << a;
  EXPECT_NE(a, CgroupParentName("/srv/other/batch-agent"));
  const std::string odd = CgroupParentName("/tmp/we ird:dir");
  EXPECT_EQ(odd.find_first_of(" :"), std::string::npos) << odd;
}

TEST(Cgroup, NoneMeansNoCgroupsAndSaysSo) {
  CgroupManager manager("none", "batchd/test-none");
  EXPECT_EQ(manager.version(), CgroupVersion::kNone);
  EXPECT_NE(manager.warning().find("cgroups: none"), std::string::npos);
  EXPECT_FALSE(manager.Create("a-1", CgroupLimits{1, 1 << 20}));
  EXPECT_TRUE(manager.List().empty());
}

TEST(Cgroup, UnusableHierarchyFallsBackToNone) {
  CgroupManager manager("auto", "batchd/test", CgroupRoots{"/nonexistent-cgroup-root"});
  EXPECT_EQ(manager.version(), CgroupVersion::kNone);
  EXPECT_NE(manager.warning().find("without vCPU and memory limits"), std::string::npos)
      << manager.warning();
}

size_t OpenDescriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

// Cgroups keep descriptors of their directories and cgroup.procs files, up to a bound; the
// ones made past it work through whole paths. The machine's own cgroups.
TEST(Cgroup, ManyCgroupsKeepABoundedNumberOfDescriptorsAndAllStillWork) {
  CgroupManager manager("auto", "batchd/test-descriptors-" + std::to_string(::getpid()));
  if (manager.version() == CgroupVersion::kNone) GTEST_SKIP() << manager.warning();
  const size_t before = OpenDescriptors();
  {
    std::vector<JobCgroup> cgroups;
    // Past the bound.
    const size_t count = static_cast<size_t>(JobCgroup::MaxKeptDescriptors()) / 2 + 8;
    for (size_t i = 0; i < count; ++i) {
      std::optional<JobCgroup> cgroup =
          manager.Create("c-" + std::to_string(i), CgroupLimits{1, int64_t{64} << 20});
      ASSERT_TRUE(cgroup);
      cgroup->ProcsFds();
      EXPECT_TRUE(cgroup->Pids().empty());
      cgroups.push_back(std::move(*cgroup));
    }
    EXPECT_LE(OpenDescriptors(), before + static_cast<size_t>(JobCgroup::MaxKeptDescriptors()));
    EXPECT_GT(OpenDescriptors(), before) << "no descriptor was kept";
    const std::vector<int> last = cgroups.back().ProcsFds();
    EXPECT_EQ(last.front(), -1) << "a descriptor was kept past the bound";
    // The last one's files are still read and written, by their paths.
    manager.ApplyLimits(cgroups.back(), CgroupLimits{2, int64_t{128} << 20});
    for (const auto& dir : cgroups.back().dirs()) {
      std::ifstream limit(
          dir / (manager.version() == CgroupVersion::kV2 ? "memory.max" : "memory.limit_in_bytes"));
      std::string value;
      if (limit >> value) {  // the memory hierarchy's directory
        EXPECT_EQ(value, std::to_string(int64_t{128} << 20)) << dir;
      }
    }
    EXPECT_TRUE(cgroups.back().Usage().cpu_time_ms);
    for (const JobCgroup& cgroup : cgroups) EXPECT_TRUE(cgroup.KillAndRemove()) << cgroup.name();
  }
  EXPECT_EQ(OpenDescriptors(), before) << "descriptors outlived their cgroups";
  manager.RemoveParent();
}

}  // namespace
}  // namespace batchd::agent
