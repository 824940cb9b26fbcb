#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "cluster_view_builder.h"
#include "core/fit.h"
#include "core/placement_pass.h"

namespace batchd::core {
namespace {

// What BestFit promises, by looking at every node: in the first environment of the queue that
// has a fit, the usable, unreserved node with least free room, the lowest id on a tie.
int EveryNodeBestFit(const PassState& state, const QueueView& queue, const Resources& need) {
  for (const std::string& ce : queue.compute_environments) {
    int best = -1;
    for (int index : state.NodesOf(ce)) {
      const PassState::Node& node = state.nodes()[index];
      if (!node.usable || !node.reserved_by.empty() || !FitsIn(need, node.free)) continue;
      if (best < 0 || LessLeftover(node.free, state.nodes()[best].free)) best = index;
    }
    if (best >= 0) return best;
  }
  return -1;
}

// A pass that places many jobs ranks an environment's nodes instead of scanning them; the
// answers must not change, with ties, fractional vCPU, GPUs, runtimes and reservations.
TEST(BestFit, ARankedEnvironmentGivesTheSameNodeAsAScanOfEveryNode) {
  std::mt19937 random(2026);
  const auto pick = [&](int n) { return static_cast<int>(random() % n); };
  ClusterViewBuilder cluster;
  cluster.Unmanaged("small").Unmanaged("large");
  for (int i = 0; i < 400; ++i) {
    const std::string ce = i % 4 == 0 ? "small" : "large";
    Resources total{static_cast<double>(1 + pick(16)), 1024L * (1 + pick(16)), pick(3)};
    total.container = pick(2) == 0;
    // Fractional amounts that do not add up exactly, as 0.1 + 0.2 does not.
    const Resources used{0.1 * pick(10), 256L * pick(4), 0};
    cluster.Node("n" + std::to_string(1000 + i), ce, total, used, /*schedulable=*/pick(10) != 0);
  }
  cluster.Queue("q", 1, {"small", "large"});
  const QueueView& queue = cluster.view().queues.front();

  PassState state(cluster);
  int placed = 0;
  for (int step = 0; step < 3000; ++step) {
    Resources need{0.1 * (1 + pick(40)), 128L * (1 + pick(64)), pick(8) == 0 ? 1 : 0};
    need.container = pick(5) == 0;
    const int expected = EveryNodeBestFit(state, queue, need);
    const int node = state.BestFit(queue, need);
    ASSERT_EQ(node, expected) << "step " << step << ": " << ResourcesText(need);
    if (node < 0) continue;
    if (pick(50) == 0) {
      state.Reserve(node, "job-" + std::to_string(step));
    } else {
      state.Place(node, need);
      ++placed;
    }
  }
  // The walk above must have both placed and run out, or it tested little.
  EXPECT_GT(placed, 500);
  EXPECT_EQ(state.BestFit(queue, Resources{16, 16384, 2}), -1);
}

// Ten thousand identical nodes, as with the bench's simulated agents: best fit fills one node
// before it starts the next. The time is printed, not asserted.
TEST(BestFit, TenThousandJobsOnTenThousandNodesFillNodesOneByOne) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce");
  for (int i = 0; i < 10000; ++i) cluster.Node("n" + std::to_string(10000 + i), "ce", R(4, 8192));
  cluster.Queue("q", 1, {"ce"});
  const QueueView& queue = cluster.view().queues.front();
  const auto start = std::chrono::steady_clock::now();
  PassState state(cluster);
  for (int i = 0; i < 10000; ++i) {
    const int node = state.BestFit(queue, R(1, 2048));
    ASSERT_EQ(node, i / 4) << "job " << i;
    state.Place(node, R(1, 2048));
  }
  std::printf(
      "10000 best fits on 10000 nodes: %.3f ms\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(state.BestFit(queue, R(4, 8192)), 2500);
}

}  // namespace
}  // namespace batchd::core
