#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "cluster_view_builder.h"
#include "core/placement.h"

namespace batchd::core {
namespace {

constexpr int64_t kNow = 10'000'000;

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::map<std::string, std::string> NodeOf(const PassResult& result) {
  std::map<std::string, std::string> placed;
  for (const Placement& p : result.placed) placed[p.job_id] = p.node_id;
  return placed;
}

struct Fixture {
  PlacementOptions options;
  WaitingJobs jobs;
  void Add(const WaitingJob& job) { jobs.Add(job, options); }
  PassResult Pass(const ClusterView& cluster, int64_t now = kNow) {
    return PlaceJobs(cluster, jobs, now, options);
  }
};

TEST(Fits, EveryDimension) {
  EXPECT_TRUE(Fits(R(2, 1024), R(2, 1024)));
  EXPECT_TRUE(Fits(R(0.1 + 0.2, 1), R(0.3, 1)));
  EXPECT_FALSE(Fits(R(2.5, 1024), R(2, 4096)));
  EXPECT_FALSE(Fits(R(1, 1025), R(2, 1024)));
  EXPECT_FALSE(Fits(R(1, 1, 1), R(2, 1024, 0)));
}

TEST(PlaceJobs, QueuesGoInPriorityOrderThenByName) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce").Node("n1", "ce", R(2, 4096));
  cluster.Queue("low", 1, {"ce"}).Queue("b-high", 10, {"ce"}).Queue("a-high", 10, {"ce"});
  Fixture f;
  f.Add(Job("low-job", "low", R(2, 1024), 0));
  f.Add(Job("b-job", "b-high", R(2, 1024), 0));
  f.Add(Job("a-job", "a-high", R(2, 1024), 1000));
  EXPECT_EQ(NodeOf(f.Pass(cluster)), (std::map<std::string, std::string>{{"a-job", "n1"}}));
}

TEST(PlaceJobs, DisabledQueuesAndEnvironmentsAreSkipped) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("off", /*enabled=*/false).Node("n-off", "off", R(8, 8192));
  cluster.Unmanaged("on").Node("n-on", "on", R(2, 2048));
  cluster.Queue("q", 1, {"off", "on"}).Queue("stopped", 99, {"on"}, /*enabled=*/false);
  Fixture f;
  f.Add(Job("stopped-job", "stopped", R(1, 1024), 0));
  f.Add(Job("job", "q", R(1, 1024), 1));
  EXPECT_EQ(NodeOf(f.Pass(cluster)), (std::map<std::string, std::string>{{"job", "n-on"}}));
}

TEST(PlaceJobs, EnvironmentsAreTriedInTheQueuesOrder) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("a1", "ce-a", R(2, 2048));
  cluster.Unmanaged("ce-b").Node("b1", "ce-b", R(8, 8192));
  cluster.Queue("q", 1, {"ce-b", "ce-a"});
  Fixture f;
  f.Add(Job("first", "q", R(2, 2048), 0));
  f.Add(Job("second", "q", R(6, 6144), 1));
  f.Add(Job("third", "q", R(2, 2048), 2));
  // The tighter node in ce-a comes only after ce-b is full.
  EXPECT_EQ(NodeOf(f.Pass(cluster)), (std::map<std::string, std::string>{
                                         {"first", "b1"}, {"second", "b1"}, {"third", "a1"}}));
}

TEST(PlaceJobs, BestFitLeavesLeastVcpuThenMemoryThenGpusThenLowestId) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce")
      .Node("n-big", "ce", R(16, 65536))
      .Node("n-tight", "ce", R(4, 65536), R(2, 0))
      .Node("n-mid", "ce", R(4, 65536));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  f.Add(Job("j", "q", R(2, 1024), 0));
  EXPECT_EQ(NodeOf(f.Pass(cluster)).at("j"), "n-tight");

  ClusterViewBuilder memory;
  memory.Unmanaged("ce")
      .Node("n1", "ce", R(4, 8192))
      .Node("n2", "ce", R(4, 4096))
      .Node("n3", "ce", R(4, 4096, 1));
  memory.Queue("q", 1, {"ce"});
  EXPECT_EQ(NodeOf(f.Pass(memory)).at("j"), "n2");

  ClusterViewBuilder same;
  same.Unmanaged("ce").Node("n9", "ce", R(4, 4096)).Node("n3", "ce", R(4, 4096));
  same.Queue("q", 1, {"ce"});
  EXPECT_EQ(NodeOf(f.Pass(same)).at("j"), "n3");
}

TEST(PlaceJobs, OnlySchedulableNodesTakeJobs) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce")
      .Node("draining", "ce", R(8, 8192), {}, /*schedulable=*/false)
      .Node("ready", "ce", R(2, 2048));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  f.Add(Job("a", "q", R(2, 1024), 0));
  f.Add(Job("b", "q", R(2, 1024), 1));
  EXPECT_EQ(NodeOf(f.Pass(cluster)), (std::map<std::string, std::string>{{"a", "ready"}}));
}

TEST(PlaceJobs, PlacedJobsCountAsUsedForTheRestOfThePass) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce").Node("n1", "ce", R(4, 4096), R(1, 0)).Node("n2", "ce", R(1, 4096));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  f.Add(Job("a", "q", R(1, 1000), 0));
  f.Add(Job("b", "q", R(1, 1000), 1));
  f.Add(Job("c", "q", R(1, 1000), 2));
  f.Add(Job("d", "q", R(1, 1000), 3));
  f.Add(Job("e", "q", R(1, 1000), 4));
  // n2 is the exact fit for the first; then n1's 3 free vCPU take three more.
  EXPECT_EQ(NodeOf(f.Pass(cluster)), (std::map<std::string, std::string>{
                                         {"a", "n2"}, {"b", "n1"}, {"c", "n1"}, {"d", "n1"}}));
}

TEST(PlaceJobs, SmallerJobsBackfillPastABlockedHead) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce").Node("n1", "ce", R(16, 16384), R(12, 0));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  f.Add(Job("head", "q", R(8, 1024), kNow - 1000));
  f.Add(Job("small", "q", R(2, 1024), kNow - 500));
  const PassResult result = f.Pass(cluster);
  EXPECT_EQ(NodeOf(result), (std::map<std::string, std::string>{{"small", "n1"}}));
  EXPECT_TRUE(result.infeasible.empty());
}

TEST(PlaceJobs, AgingMovesAnOldLowPriorityJobAheadOfANewHigherOne) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce").Node("n1", "ce", R(2, 2048));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  f.options.aging_ms = 60'000;
  f.options.reserve_after_ms = 1'000'000'000;
  f.Add(Job("old-low", "q", R(2, 1024), kNow - 10 * 60'000, 0));
  f.Add(Job("new-high", "q", R(2, 1024), kNow - 60'000, 5));
  EXPECT_EQ(NodeOf(f.Pass(cluster)), (std::map<std::string, std::string>{{"old-low", "n1"}}));

  Fixture young;
  young.options = f.options;
  young.Add(Job("old-low", "q", R(2, 1024), kNow - 2 * 60'000, 0));
  young.Add(Job("new-high", "q", R(2, 1024), kNow - 60'000, 5));
  EXPECT_EQ(NodeOf(young.Pass(cluster)), (std::map<std::string, std::string>{{"new-high", "n1"}}));
}

TEST(PlaceJobs, AnOldJobReservesANodeSoSmallJobsCannotStarveIt) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce").Node("n1", "ce", R(8, 8192), R(6, 0)).Node("n2", "ce", R(2, 8192));
  cluster.Queue("q", 1, {"ce"});
  auto run = [&](int64_t big_created_at) {
    Fixture f;
    f.options.reserve_after_ms = 300'000;
    f.Add(Job("big", "q", R(4, 1024), big_created_at));
    for (int i = 0; i < 4; ++i) {
      f.Add(Job("small" + std::to_string(i), "q", R(1, 1024), kNow - 100 + i));
    }
    return NodeOf(f.Pass(cluster));
  };
  // Young: small jobs fill both nodes, and the big one may wait for ever.
  EXPECT_EQ(run(kNow - 1000).size(), 4u);
  // Old: it holds n1, the only node large enough, so n1 fills up only for it.
  EXPECT_EQ(run(kNow - 300'000),
            (std::map<std::string, std::string>{{"small0", "n2"}, {"small1", "n2"}}));
}

TEST(PlaceJobs, AReservationGoesToTheNodeWithMostFreeThatCouldFit) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce")
      .Node("n1", "ce", R(8, 8192), R(7, 0))
      .Node("n2", "ce", R(8, 8192), R(5, 0))
      .Node("n3", "ce", R(2, 8192), R(1, 0));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  f.Add(Job("big", "q", R(6, 1024), 0));
  for (int i = 0; i < 3; ++i) f.Add(Job("s" + std::to_string(i), "q", R(1, 1024), kNow - 9 + i));
  // n2 (3 free) is held; n3 then n1 take the small jobs.
  EXPECT_EQ(NodeOf(f.Pass(cluster)),
            (std::map<std::string, std::string>{{"s0", "n1"}, {"s1", "n3"}}));
}

TEST(PlaceJobs, InfeasibleOnManagedShapesAndMaxvCpus) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 16, {R(4, 8192), R(8, 16384)});
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  f.Add(Job("too-many-vcpus", "q", R(32, 1024), 0));
  f.Add(Job("no-shape", "q", R(10, 1024), 1));
  f.Add(Job("gpu", "q", R(1, 1024, 1), 2));
  f.Add(Job("fits-a-shape", "q", R(8, 16384), 3));
  const PassResult result = f.Pass(cluster);
  EXPECT_TRUE(result.placed.empty());
  std::map<std::string, std::string> reasons;
  for (const Infeasible& i : result.infeasible) reasons[i.job_id] = i.reason;
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(reasons["too-many-vcpus"],
            "needs 32 vCPU, 1024 MiB; no compute environment of queue q can ever fit it: "
            "ce-m's maxvCpus is 16 and ce-m's largest node shape has 8 vCPU, 16384 MiB");
  EXPECT_EQ(reasons["no-shape"],
            "needs 10 vCPU, 1024 MiB; no compute environment of queue q can ever fit it: "
            "ce-m's largest node shape has 8 vCPU, 16384 MiB");
  EXPECT_NE(reasons["gpu"].find("needs 1 vCPU, 1024 MiB, 1 GPU"), std::string::npos);
}

TEST(PlaceJobs, ManagedMaxvCpusCapsItsShapes) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 4, {R(8, 16384)});
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  f.Add(Job("j", "q", R(6, 1024), 0));
  const PassResult result = f.Pass(cluster);
  ASSERT_EQ(result.infeasible.size(), 1u);
  EXPECT_EQ(result.infeasible[0].reason,
            "needs 6 vCPU, 1024 MiB; no compute environment of queue q can ever fit it: "
            "ce-m's maxvCpus is 4");
}

TEST(PlaceJobs, InfeasibleOnTheLargestKnownUnmanagedNode) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").LargestKnown("ce-a", R(4, 7900));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.Add(Job("j", "q", R(64, 1024), 0));
  f.Add(Job("ok", "q", R(4, 7900), 0));
  const PassResult result = f.Pass(cluster);
  ASSERT_EQ(result.infeasible.size(), 1u);
  EXPECT_EQ(result.infeasible[0].job_id, "j");
  EXPECT_EQ(result.infeasible[0].reason,
            "needs 64 vCPU, 1024 MiB; no compute environment of queue q can ever fit it: "
            "ce-a's largest node has 4 vCPU, 7900 MiB");
}

TEST(PlaceJobs, FeasibleWhenAnyEnvironmentCouldFitOrNodesAreUnknown) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("small").LargestKnown("small", R(2, 2048));
  cluster.Unmanaged("unknown");
  cluster.Managed("big", 64, {R(64, 262144)}, /*enabled=*/false);
  cluster.Queue("q-unknown", 1, {"small", "unknown"});
  cluster.Queue("q-big", 1, {"small", "big"});
  cluster.Queue("q-empty", 1, {});
  Fixture f;
  f.Add(Job("a", "q-unknown", R(32, 1024), 0));
  f.Add(Job("b", "q-big", R(32, 1024), 0));
  f.Add(Job("c", "q-empty", R(32, 1024), 0));
  const PassResult result = f.Pass(cluster);
  EXPECT_TRUE(result.infeasible.empty());
  EXPECT_TRUE(result.placed.empty());
}

TEST(PlaceJobs, AFullClusterPlacesNothingButStillFindsInfeasibleJobs) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce");
  for (int i = 0; i < 100; ++i) {
    cluster.Node("n" + std::to_string(i), "ce", R(8, 16384), R(8, 16384));
  }
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  for (int i = 0; i < 10'000; ++i) f.Add(Job("j" + std::to_string(i), "q", R(1, 1024), i));
  f.Add(Job("huge", "q", R(9, 1024), 0));
  PassResult result;
  auto elapsed = std::chrono::steady_clock::duration::max();
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    result = f.Pass(cluster);
    elapsed = std::min(elapsed, std::chrono::steady_clock::now() - start);
  }
  std::printf("full cluster, 10001 jobs, 100 nodes: %.3f ms\n", Ms(elapsed));
  EXPECT_TRUE(result.placed.empty());
  ASSERT_EQ(result.infeasible.size(), 1u);
  EXPECT_EQ(result.infeasible[0].job_id, "huge");
}

TEST(PlaceJobs, StopsPlacingOnceTheClusterFillsUp) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce").Node("n1", "ce", R(2, 2048));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  for (int i = 0; i < 5; ++i) f.Add(Job("j" + std::to_string(i), "q", R(1, 1024), i));
  EXPECT_EQ(NodeOf(f.Pass(cluster)),
            (std::map<std::string, std::string>{{"j0", "n1"}, {"j1", "n1"}}));
}

TEST(PlaceJobs, ExaminesAtMostTheConfiguredNumberOfJobsPerQueue) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce").Node("n1", "ce", R(8, 8192));
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  f.options.max_examined_per_queue = 2;
  for (int i = 0; i < 4; ++i) f.Add(Job("j" + std::to_string(i), "q", R(1, 1024), i));
  EXPECT_EQ(f.Pass(cluster).placed.size(), 2u);
}

TEST(PlaceJobs, TenThousandJobsOnAHundredNodesIsQuick) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Unmanaged("ce-b");
  std::mt19937 random(42);
  for (int i = 0; i < 100; ++i) {
    const std::string ce = i % 2 ? "ce-a" : "ce-b";
    cluster.Node("n" + std::to_string(i), ce, R(64, 262144), R(random() % 32, 0));
  }
  cluster.Queue("q1", 10, {"ce-a", "ce-b"}).Queue("q2", 5, {"ce-b"}).Queue("q3", 1, {"ce-a"});
  const char* queues[] = {"q1", "q2", "q3"};
  // Sizes in quarter vCPUs and odd memory amounts, so few jobs share a size.
  std::vector<WaitingJob> waiting;
  for (int i = 0; i < 10'000; ++i) {
    waiting.push_back(Job("j" + std::to_string(i), queues[i % 3],
                          R(0.25 * (1 + random() % 64), 100 + random() % 30'000),
                          kNow - random() % 1'000'000, static_cast<int>(random() % 3)));
  }
  for (const int64_t reserve_after_ms : {int64_t{300'000}, int64_t{1} << 60}) {
    Fixture f;
    f.options.reserve_after_ms = reserve_after_ms;
    for (const WaitingJob& job : waiting) f.Add(job);
    // The best of a few runs: the machine is shared, and the pass is what is measured.
    PassResult result;
    auto elapsed = std::chrono::steady_clock::duration::max();
    for (int run = 0; run < 5; ++run) {
      const auto start = std::chrono::steady_clock::now();
      result = f.Pass(cluster);
      elapsed = std::min(elapsed, std::chrono::steady_clock::now() - start);
    }
    std::printf("placement pass, 10000 jobs, 100 nodes, %s: %zu placed in %.3f ms\n",
                reserve_after_ms < kNow ? "with reservations" : "no reservations",
                result.placed.size(), Ms(elapsed));
    EXPECT_GT(result.placed.size(), 0u);
    EXPECT_TRUE(result.infeasible.empty());
    // Loose: catches a pass gone quadratic, not a slow machine.
    EXPECT_LT(Ms(elapsed), 500);
  }
}

TEST(PlaceJobs, TenThousandPlacementsOnAHundredNodesIsQuick) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce");
  for (int i = 0; i < 100; ++i) {
    cluster.Node("n" + std::to_string(i), "ce", R(1024, 1 << 22), R(i, 0));
  }
  cluster.Queue("q", 1, {"ce"});
  std::mt19937 random(7);
  Fixture f;
  for (int i = 0; i < 10'000; ++i) {
    f.Add(Job("j" + std::to_string(i), "q", R(0.25 * (1 + random() % 16), 100 + random() % 30'000),
              kNow - i));
  }
  PassResult result;
  auto elapsed = std::chrono::steady_clock::duration::max();
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    result = f.Pass(cluster);
    elapsed = std::min(elapsed, std::chrono::steady_clock::now() - start);
  }
  std::printf("placement pass, 10000 jobs all placed on 100 nodes: %.3f ms\n", Ms(elapsed));
  EXPECT_EQ(result.placed.size(), 10'000u);
  EXPECT_LT(Ms(elapsed), 500);
}

// A pass as the scheduler makes it: with memory, and the jobs told the pass is done.
PassResult RememberingPass(Fixture& f, const ClusterView& cluster, PassMemory& memory) {
  PassResult result = PlaceJobs(cluster, f.jobs, kNow, f.options, &memory);
  f.jobs.PassDone();
  return result;
}

TEST(PlaceJobs, ABlockedQueueIsWalkedAgainOnlyForJobsAddedSince) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 64, {R(8, 16384)});  // no node yet: nothing can be placed
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  PassMemory memory;
  for (int i = 0; i < 100; ++i) f.Add(Job("j" + std::to_string(i), "q", R(2, 1024), i));
  EXPECT_EQ(RememberingPass(f, cluster, memory).examined, 100u);
  EXPECT_EQ(RememberingPass(f, cluster, memory).examined, 0u);

  f.Add(Job("too-big", "q", R(16, 1024), 200));
  f.Add(Job("fits", "q", R(8, 1024), 201));
  const PassResult result = RememberingPass(f, cluster, memory);
  EXPECT_EQ(result.examined, 2u);
  ASSERT_EQ(result.infeasible.size(), 1u);
  EXPECT_EQ(result.infeasible[0].job_id, "too-big");
}

TEST(PlaceJobs, ABlockedQueueIsWalkedWholeWhenItsReachChangesOrANodeComes) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 64, {R(8, 16384)});
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  PassMemory memory;
  f.Add(Job("a", "q", R(4, 1024), 0));
  f.Add(Job("b", "q", R(2, 1024), 1));
  RememberingPass(f, cluster, memory);

  // The environment's shapes shrink: what fitted before may fit no more.
  cluster.view().compute_environments["ce-m"].shapes = {R(2, 16384)};
  const PassResult shrunk = RememberingPass(f, cluster, memory);
  EXPECT_EQ(shrunk.examined, 2u);
  ASSERT_EQ(shrunk.infeasible.size(), 1u);
  EXPECT_EQ(shrunk.infeasible[0].job_id, "a");

  // A node registers: the queue is no longer blocked, and its jobs are placed.
  cluster.Node("n1", "ce-m", R(2, 2048));
  EXPECT_EQ(NodeOf(RememberingPass(f, cluster, memory)),
            (std::map<std::string, std::string>{{"b", "n1"}}));
}

TEST(PlaceJobs, AQueueWhoseEnvironmentNeverHadANodeIsNotWalkedAgain) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce");  // any node may come: nothing is infeasible, nothing placeable
  cluster.Queue("q", 1, {"ce"});
  Fixture f;
  PassMemory memory;
  for (int i = 0; i < 50; ++i) f.Add(Job("j" + std::to_string(i), "q", R(64, 1024), i));
  EXPECT_EQ(RememberingPass(f, cluster, memory).examined, 50u);
  f.Add(Job("new", "q", R(1, 1024), 100));
  const PassResult result = RememberingPass(f, cluster, memory);
  EXPECT_EQ(result.examined, 1u);
  EXPECT_TRUE(result.infeasible.empty());
  EXPECT_TRUE(result.placed.empty());
}

TEST(PlaceJobs, AFullClusterIsWalkedAgainOnlyForJobsAddedSince) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 64, {R(8, 16384)}).Node("n1", "ce-m", R(2, 2048), R(2, 2048));
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  PassMemory memory;
  for (int i = 0; i < 100; ++i) f.Add(Job("j" + std::to_string(i), "q", R(1, 512), i));
  EXPECT_EQ(RememberingPass(f, cluster, memory).examined, 100u);
  // Nothing can be placed, and every job was seen with this reach.
  EXPECT_EQ(RememberingPass(f, cluster, memory).examined, 0u);

  f.Add(Job("too-big", "q", R(16, 1024), 200));
  f.Add(Job("first-too-big", "q", R(16, 1024), 0, /*priority=*/9));
  PassResult result = RememberingPass(f, cluster, memory);
  EXPECT_EQ(result.examined, 2u);
  ASSERT_EQ(result.infeasible.size(), 2u);
  f.jobs.Remove("too-big");
  f.jobs.Remove("first-too-big");

  // The node frees up: the best jobs are placed, then the walk stops where the room ran out.
  cluster.Node("n1", "ce-m", R(2, 2048));
  f.Add(Job("late-too-big", "q", R(16, 1024), 300));
  f.Add(Job("early-too-big", "q", R(16, 1024), 0, /*priority=*/9));
  result = RememberingPass(f, cluster, memory);
  EXPECT_EQ(NodeOf(result), (std::map<std::string, std::string>{{"j0", "n1"}, {"j1", "n1"}}));
  EXPECT_EQ(result.examined, 4u);
  std::vector<std::string> infeasible;
  for (const Infeasible& i : result.infeasible) infeasible.push_back(i.job_id);
  EXPECT_EQ(infeasible, (std::vector<std::string>{"early-too-big", "late-too-big"}));
}

TEST(PlaceJobs, AFullClusterIsWalkedWholeWhenItsReachChanges) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 64, {R(8, 16384)}).Node("n1", "ce-m", R(2, 2048), R(2, 2048));
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  PassMemory memory;
  f.Add(Job("a", "q", R(4, 1024), 0));
  f.Add(Job("b", "q", R(2, 1024), 1));
  RememberingPass(f, cluster, memory);
  EXPECT_EQ(RememberingPass(f, cluster, memory).examined, 0u);

  cluster.view().compute_environments["ce-m"].shapes = {R(2, 16384)};
  const PassResult shrunk = RememberingPass(f, cluster, memory);
  EXPECT_EQ(shrunk.examined, 2u);
  ASSERT_EQ(shrunk.infeasible.size(), 1u);
  EXPECT_EQ(shrunk.infeasible[0].job_id, "a");
}

TEST(PlaceJobs, AJobAddedWhileItsQueueWasDisabledIsLookedAtWhenItIsEnabled) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 64, {R(8, 16384)}).Node("n1", "ce-m", R(2, 2048), R(2, 2048));
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  PassMemory memory;
  f.Add(Job("a", "q", R(1, 512), 0));
  RememberingPass(f, cluster, memory);
  cluster.view().queues[0].enabled = false;
  f.Add(Job("too-big", "q", R(16, 1024), 1));
  EXPECT_EQ(RememberingPass(f, cluster, memory).examined, 0u);
  cluster.view().queues[0].enabled = true;
  const PassResult result = RememberingPass(f, cluster, memory);
  ASSERT_EQ(result.infeasible.size(), 1u);
  EXPECT_EQ(result.infeasible[0].job_id, "too-big");
}

}  // namespace
}  // namespace batchd::core
