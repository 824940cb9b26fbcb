#include <gtest/gtest.h>

#include <algorithm>

#include "cluster_view_builder.h"
#include "core/placement.h"

namespace batchd::core {
namespace {

constexpr int64_t kNow = 10'000'000;

bool HasDetail(const Explanation& e, const std::string& text) {
  return std::any_of(e.details.begin(), e.details.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

std::string AllDetails(const Explanation& e) {
  std::string text;
  for (const std::string& line : e.details) text += line + "\n";
  return text;
}

struct Fixture {
  PlacementOptions options;
  WaitingJobs jobs;
  void Add(const WaitingJob& job) { jobs.Add(job, options); }
  Explanation Explain(const ClusterView& cluster, const std::string& id) {
    return ExplainWaiting(cluster, jobs, id, kNow, options);
  }
};

TEST(ExplainWaiting, WaitingForCapacityGivesTheNumbers) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("n1", "ce-a", R(4, 8192), R(3, 6144));
  cluster.Queue("q", 7, {"ce-a"});
  Fixture f;
  f.Add(Job("j", "q", R(2, 4096), kNow - 90'000, 3));
  const Explanation e = f.Explain(cluster, "j");
  EXPECT_EQ(e.summary,
            "waiting for capacity: needs 2 vCPU, 4096 MiB; largest free node in ce-a offers "
            "1 vCPU, 2048 MiB");
  EXPECT_TRUE(HasDetail(e, "requests 2 vCPU, 4096 MiB")) << AllDetails(e);
  EXPECT_TRUE(HasDetail(e, "waiting 90 s since submission; effective priority 4.50"))
      << AllDetails(e);
  EXPECT_TRUE(HasDetail(e, "0 jobs ahead of it in queue q")) << AllDetails(e);
  EXPECT_TRUE(HasDetail(e, "queue q: ENABLED, priority 7, compute environments: ce-a"))
      << AllDetails(e);
  EXPECT_TRUE(HasDetail(e,
                        "ce-a: ENABLED, unmanaged, 1 of 1 node schedulable; largest free node n1 "
                        "offers 1 vCPU, 2048 MiB; largest possible node 4 vCPU, 8192 MiB"))
      << AllDetails(e);
}

TEST(ExplainWaiting, FitsNowMeansWaitingForAPass) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("n1", "ce-a", R(4, 8192));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.Add(Job("j", "q", R(2, 4096), kNow));
  EXPECT_EQ(f.Explain(cluster, "j").summary, "waiting for a placement pass: fits on node n1 now");
}

TEST(ExplainWaiting, JobsAheadTakeTheRoom) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("n1", "ce-a", R(4, 8192));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.Add(Job("a", "q", R(2, 1024), kNow - 3));
  f.Add(Job("b", "q", R(2, 1024), kNow - 2));
  f.Add(Job("c", "q", R(2, 1024), kNow - 1));
  const Explanation e = f.Explain(cluster, "c");
  EXPECT_EQ(e.summary,
            "waiting for capacity: the free room it fits in goes to 2 jobs placed "
            "ahead of it");
  EXPECT_TRUE(HasDetail(e, "2 jobs ahead of it in queue q")) << AllDetails(e);
  EXPECT_TRUE(HasDetail(e, "a placement pass places 2 jobs before its turn")) << AllDetails(e);
}

TEST(ExplainWaiting, QueueAndEnvironmentStates) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-off", /*enabled=*/false).Node("n1", "ce-off", R(4, 8192));
  cluster.Unmanaged("ce-empty");
  cluster.Queue("stopped", 1, {"ce-empty"}, /*enabled=*/false);
  cluster.Queue("q-off", 1, {"ce-off"});
  cluster.Queue("q-empty", 1, {"ce-empty"});
  cluster.Queue("q-none", 1, {});
  Fixture f;
  f.Add(Job("s", "stopped", R(1, 1024)));
  f.Add(Job("o", "q-off", R(1, 1024)));
  f.Add(Job("e", "q-empty", R(1, 1024)));
  f.Add(Job("n", "q-none", R(1, 1024)));
  f.Add(Job("x", "no-such-queue", R(1, 1024)));
  EXPECT_EQ(f.Explain(cluster, "s").summary, "queue stopped is DISABLED");
  const Explanation off = f.Explain(cluster, "o");
  EXPECT_EQ(off.summary, "no compute environment of queue q-off is ENABLED");
  EXPECT_TRUE(HasDetail(off, "ce-off: DISABLED, unmanaged, 1 of 1 node schedulable"))
      << AllDetails(off);
  const Explanation empty = f.Explain(cluster, "e");
  EXPECT_EQ(empty.summary, "no nodes registered in ce-empty");
  EXPECT_TRUE(HasDetail(empty, "no nodes registered in ce-empty")) << AllDetails(empty);
  EXPECT_TRUE(HasDetail(empty, "largest possible node unknown")) << AllDetails(empty);
  EXPECT_EQ(f.Explain(cluster, "n").summary, "queue q-none has no compute environments");
  EXPECT_EQ(f.Explain(cluster, "x").summary, "queue no-such-queue does not exist");
  EXPECT_EQ(f.Explain(cluster, "gone").summary, "job gone is not waiting for placement");
}

TEST(ExplainWaiting, NoSchedulableNodes) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("n1", "ce-a", R(4, 8192), {}, /*schedulable=*/false);
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.Add(Job("j", "q", R(1, 1024), kNow));
  const Explanation e = f.Explain(cluster, "j");
  EXPECT_EQ(e.summary, "no schedulable nodes in ce-a (nodes are launching, draining or lost)");
  EXPECT_TRUE(HasDetail(e, "0 of 1 node schedulable")) << AllDetails(e);
}

TEST(ExplainWaiting, InfeasibleGivesTheReason) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 16, {R(4, 7900)});
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  f.Add(Job("j", "q", R(64, 1024), kNow));
  const Explanation e = f.Explain(cluster, "j");
  EXPECT_EQ(e.summary,
            "needs 64 vCPU, 1024 MiB; no compute environment of queue q can ever fit it: ce-m's "
            "maxvCpus is 16 and ce-m's largest node shape has 4 vCPU, 7900 MiB");
  EXPECT_TRUE(HasDetail(e, "largest possible node 4 vCPU, 7900 MiB (maxvCpus 16)"))
      << AllDetails(e);
}

TEST(ExplainWaiting, AReservationHeldByAnOlderJob) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("n1", "ce-a", R(8, 8192), R(6, 0));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.options.reserve_after_ms = 300'000;
  f.Add(Job("big", "q", R(4, 1024), kNow - 400'000));
  f.Add(Job("small", "q", R(1, 1024), kNow - 1000));
  const Explanation small = f.Explain(cluster, "small");
  EXPECT_EQ(small.summary,
            "node n1 would fit it but is reserved for job big, which has waited 400 s");
  EXPECT_TRUE(HasDetail(small,
                        "node n1 in ce-a is reserved for job big, which has waited 400 s "
                        "and needs 4 vCPU, 1024 MiB"))
      << AllDetails(small);
  const Explanation big = f.Explain(cluster, "big");
  EXPECT_TRUE(HasDetail(big, "it has waited at least 300 s: a pass holds node n1 for it"))
      << AllDetails(big);
  EXPECT_EQ(big.summary,
            "waiting for capacity: needs 4 vCPU, 1024 MiB; largest free node in ce-a offers "
            "2 vCPU, 8192 MiB");
}

TEST(ExplainWaiting, BeyondWhatAPassExamines) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("n1", "ce-a", R(8, 8192));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.options.max_examined_per_queue = 1;
  f.Add(Job("a", "q", R(1, 1024), 0));
  f.Add(Job("b", "q", R(1, 1024), 1));
  EXPECT_EQ(f.Explain(cluster, "b").summary,
            "1 job ahead of it in queue q; a placement pass examines only the first 1");
}

}  // namespace
}  // namespace batchd::core
