#include <gtest/gtest.h>

#include "cluster_view_builder.h"
#include "core/placement.h"

namespace batchd::core {
namespace {

std::vector<std::string> Ids(const WaitingJobs& jobs, const std::string& queue,
                             size_t limit = 100) {
  std::vector<std::string> ids;
  for (const WaitingJob* job : jobs.InOrder(queue, limit)) ids.push_back(job->job_id);
  return ids;
}

TEST(WaitingJobs, OrdersByPriorityThenAgeThenId) {
  PlacementOptions options;
  options.aging_ms = 60'000;
  WaitingJobs jobs;
  jobs.Add(Job("c", "q", R(1, 1), 1000, 0), options);
  jobs.Add(Job("b", "q", R(1, 1), 1000, 0), options);
  jobs.Add(Job("old", "q", R(1, 1), 0, 0), options);
  jobs.Add(Job("high", "q", R(1, 1), 5000, 1), options);
  jobs.Add(Job("other", "p", R(1, 1), 0, 9), options);
  EXPECT_EQ(Ids(jobs, "q"), (std::vector<std::string>{"high", "old", "b", "c"}));
  EXPECT_EQ(Ids(jobs, "q", 2), (std::vector<std::string>{"high", "old"}));
  EXPECT_EQ(Ids(jobs, "p"), (std::vector<std::string>{"other"}));
  EXPECT_TRUE(Ids(jobs, "none").empty());
  EXPECT_EQ(jobs.size(), 5u);
  EXPECT_EQ(jobs.PositionOf("high"), 0u);
  EXPECT_EQ(jobs.PositionOf("c"), 3u);
}

TEST(WaitingJobs, AgingPutsAnOldLowPriorityJobAheadOfANewerHigherOne) {
  PlacementOptions options;
  options.aging_ms = 60'000;
  WaitingJobs jobs;
  // Three minutes older is worth three points; one point of priority is not enough.
  jobs.Add(Job("new-high", "q", R(1, 1), 180'000, 1), options);
  jobs.Add(Job("old-low", "q", R(1, 1), 0, 0), options);
  jobs.Add(Job("new-much-higher", "q", R(1, 1), 180'000, 5), options);
  EXPECT_EQ(Ids(jobs, "q"), (std::vector<std::string>{"new-much-higher", "old-low", "new-high"}));
}

TEST(WaitingJobs, RemoveFindAndReAdd) {
  PlacementOptions options;
  WaitingJobs jobs;
  jobs.Add(Job("a", "q", R(1, 1), 0), options);
  jobs.Add(Job("b", "q", R(1, 1), 1), options);
  ASSERT_NE(jobs.Find("a"), nullptr);
  EXPECT_EQ(jobs.Find("a")->need.memory_mib, 1);
  EXPECT_TRUE(jobs.Remove("a"));
  EXPECT_FALSE(jobs.Remove("a"));
  EXPECT_EQ(jobs.Find("a"), nullptr);
  EXPECT_EQ(jobs.PositionOf("b"), 0u);
  // Adding a known id replaces it, here moving it to another queue.
  jobs.Add(Job("b", "p", R(2, 2), 1), options);
  EXPECT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(Ids(jobs, "q").empty());
  EXPECT_EQ(Ids(jobs, "p"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(jobs.Find("b")->need.vcpus, 2);
}

TEST(WaitingJobs, CopyKeepsItsOwnIndex) {
  PlacementOptions options;
  auto original = std::make_unique<WaitingJobs>();
  original->Add(Job("a", "q", R(1, 1), 0), options);
  original->Add(Job("b", "q", R(1, 1), 1), options);
  WaitingJobs copy = *original;
  original.reset();
  EXPECT_EQ(Ids(copy, "q"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(copy.PositionOf("b"), 1u);
  EXPECT_TRUE(copy.Remove("a"));
  EXPECT_EQ(Ids(copy, "q"), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace batchd::core
