#include "agent/cgroup.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace batchd::agent
