// Reconnect backoff and the agent's work dir.
#include <gtest/gtest.h>

#include <fstream>

#include "agent/connection.h"
#include "agent/work_dir.h"
#include "support/temp_dir.h"

namespace batchd::agent {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesUpToTheMaximumWithinHalfEitherWay) {
  Backoff backoff(milliseconds(100), milliseconds(5000), 42);
  int64_t base = 100;
  for (int i = 0; i < 12; ++i) {
    const int64_t d = backoff.Next().count();
    EXPECT_GE(d, base / 2) << i;
    EXPECT_LE(d, base * 3 / 2) << i;
    base = std::min<int64_t>(base * 2, 5000);
  }
  EXPECT_EQ(backoff.failures(), 12);
  backoff.Reset();
  EXPECT_EQ(backoff.failures(), 0);
  EXPECT_LE(backoff.Next().count(), 150);
}

TEST(Backoff, ScattersAgentsCutOffTogether) {
  Backoff a(milliseconds(1000), milliseconds(5000), 1);
  Backoff b(milliseconds(1000), milliseconds(5000), 2);
  EXPECT_NE(a.Next(), b.Next());
}

TEST(WorkDir, NodeIdIsMadeOnceAndKept) {
  testing::TempDir dir;
  const auto work = dir.path() / "w";
  const std::string id = LoadOrCreateNodeId(work);
  EXPECT_EQ(id.rfind(Hostname() + "-", 0), 0u);
  EXPECT_EQ(id.size(), Hostname().size() + 9);
  EXPECT_EQ(LoadOrCreateNodeId(work), id);
  std::ofstream(work / "node_id") << "  chosen-name\n";
  EXPECT_EQ(LoadOrCreateNodeId(work), "chosen-name");
}

TEST(WorkDir, OnlyOneAgentAtATime) {
  testing::TempDir dir;
  std::optional<WorkDirLock> first(std::in_place, dir.path() / "w");
  try {
    WorkDirLock second(dir.path() / "w");
    FAIL() << "a second lock was granted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another batch-agent"), std::string::npos) << e.what();
  }
  first.reset();
  WorkDirLock third(dir.path() / "w");
}

}  // namespace
}  // namespace batchd::agent
