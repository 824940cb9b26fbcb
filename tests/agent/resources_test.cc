#include "agent/resources.h"

#include <gtest/gtest.h>

namespace batchd::agent {
namespace {

TEST(Resources, ParsesMeminfo) {
  EXPECT_EQ(ParseMemTotalKiB("MemTotal:       24576000 kB\nMemFree: 100 kB\n"), 24576000);
  EXPECT_FALSE(ParseMemTotalKiB("garbage"));
}

TEST(Resources, ParsesCgroupCpuQuota) {
  EXPECT_EQ(ParseCpuMax("200000 100000\n"), 2);
  EXPECT_EQ(ParseCpuMax("150000 100000\n"), 2);
  EXPECT_FALSE(ParseCpuMax("max 100000\n"));
  EXPECT_FALSE(ParseCpuMax(""));
}

TEST(Resources, ParsesMemoryLimits) {
  EXPECT_EQ(ParseMemoryLimitMiB("1073741824\n"), 1024);
  EXPECT_FALSE(ParseMemoryLimitMiB("max\n"));
  EXPECT_FALSE(ParseMemoryLimitMiB("9223372036854771712\n"));
}

TEST(Resources, CountsNvidiaGpus) {
  EXPECT_EQ(CountNvidiaGpus(
                "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)\nGPU 1: NVIDIA H100 (UUID: GPU-2)\n"),
            2);
  EXPECT_EQ(CountNvidiaGpus(""), 0);
}

TEST(Resources, DetectsThisMachine) {
  auto r = DetectResources();
  EXPECT_GE(r.vcpus, 1);
  EXPECT_GT(r.memory_mib, 0);
  EXPECT_GE(r.gpus, 0);
}

}  // namespace
}  // namespace batchd::agent
