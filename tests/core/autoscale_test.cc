#include "core/autoscale.h"

#include <gtest/gtest.h>

#include "cluster_view_builder.h"

namespace batchd::core {
namespace {

constexpr int64_t kNow = 1'000'000'000;

NodeShapeSpec Shape(const std::string& name, double vcpus, int64_t memory_mib, int gpus = 0) {
  return {name, {vcpus, memory_mib, gpus}};
}

ScalingCe Ce(const std::string& name, int min, int max, std::vector<NodeShapeSpec> shapes,
             AllocationStrategy strategy = AllocationStrategy::kBestFit) {
  ScalingCe ce;
  ce.name = name;
  ce.minv_cpus = min;
  ce.maxv_cpus = max;
  ce.shapes = std::move(shapes);
  ce.strategy = strategy;
  return ce;
}

ScalingNode Ready(const std::string& id, Resources total, Resources used = {}, bool busy = false,
                  int64_t idle_since = kNow) {
  ScalingNode node;
  node.node_id = id;
  node.state = ScalingNode::State::kReady;
  node.total = total;
  node.used = used;
  node.busy = busy;
  node.idle_since_ms = idle_since;
  return node;
}

ScalingNode Launching(const std::string& id, Resources total, int64_t launched_at = kNow) {
  ScalingNode node;
  node.node_id = id;
  node.state = ScalingNode::State::kLaunching;
  node.total = total;
  node.launched_at_ms = launched_at;
  return node;
}

class AutoscaleTest : public ::testing::Test {
 protected:
  AutoscaleTest() { cluster_.Queue("q", 1, {"ce"}).Managed("ce", 64, {}); }

  void Submit(int count, Resources need) {
    for (int i = 0; i < count; ++i) {
      jobs_.Add(Job("j" + std::to_string(next_++), "q", need, kNow), {});
    }
  }

  ScalingPlan Plan(const ScalingCe& ce, int64_t now = kNow) {
    std::map<std::string, ScalingCe> ces{{ce.name, ce}};
    auto plans = PlanScaling(cluster_, jobs_, ces, now);
    EXPECT_EQ(plans.size(), 1u);
    return plans.front();
  }

  static std::vector<std::string> ShapesOf(const ScalingPlan& plan) {
    std::vector<std::string> names;
    for (const auto& c : plan.creates) names.push_back(c.shape.name);
    return names;
  }

  ClusterViewBuilder cluster_;
  WaitingJobs jobs_;
  int next_ = 0;
};

TEST_F(AutoscaleTest, BurstScalesOutFromZeroWithTheReason) {
  Submit(7, R(1, 1024));
  const auto plan = Plan(Ce("ce", 0, 64, {Shape("c4", 4, 8192)}));
  EXPECT_EQ(ShapesOf(plan), (std::vector<std::string>{"c4", "c4"}));
  EXPECT_EQ(plan.create_reason, "scale out ce by 2×c4 for 7 RUNNABLE jobs needing 7 vCPU");
  EXPECT_EQ(plan.desired_vcpus, 8);
  EXPECT_TRUE(plan.removals.empty());
  EXPECT_EQ(plan.hold, ScalingPlan::Hold::kNone);
}

TEST_F(AutoscaleTest, OneJobIsSaidInTheSingular) {
  Submit(1, R(3, 1024));
  ScalingCe full = Ce("ce", 0, 6, {Shape("c4", 4, 8192)});
  full.nodes.push_back(Ready("busy", R(4, 8192), R(4, 1024), true));
  EXPECT_EQ(Plan(full).held_back, "1 job needing 3 vCPU waits: ce is at maxvCpus 6");
  EXPECT_EQ(Plan(Ce("ce", 0, 8, {Shape("c4", 4, 8192)})).create_reason,
            "scale out ce by 1×c4 for 1 RUNNABLE job needing 3 vCPU");
}

TEST_F(AutoscaleTest, NoDemandNoNodes) {
  const auto plan = Plan(Ce("ce", 0, 64, {Shape("c4", 4, 8192)}));
  EXPECT_TRUE(plan.creates.empty());
  EXPECT_EQ(plan.desired_vcpus, 0);
}

TEST_F(AutoscaleTest, BestFitPicksTheSmallestShapeThatFitsEachNode) {
  Submit(1, R(6, 1024));
  Submit(2, R(1, 1024));
  const auto plan = Plan(Ce("ce", 0, 64, {Shape("c2", 2, 4096), Shape("c8", 8, 16384)}));
  // The 6-vCPU job needs a c8, which also takes both small jobs.
  EXPECT_EQ(ShapesOf(plan), (std::vector<std::string>{"c8"}));
}

TEST_F(AutoscaleTest, MixedSizesArePackedLargestFirst) {
  Submit(2, R(3, 1024));
  Submit(2, R(1, 1024));
  const auto plan = Plan(Ce("ce", 0, 64, {Shape("c4", 4, 8192)}));
  EXPECT_EQ(ShapesOf(plan), (std::vector<std::string>{"c4", "c4"}));
}

TEST_F(AutoscaleTest, ProgressiveUsesLargerShapesWhenTheyAreFilled) {
  Submit(8, R(1, 1024));
  const auto best_fit = Plan(Ce("ce", 0, 64, {Shape("c1", 1, 2048), Shape("c8", 8, 16384)}));
  EXPECT_EQ(best_fit.creates.size(), 8u);
  const auto progressive = Plan(Ce("ce", 0, 64, {Shape("c1", 1, 2048), Shape("c8", 8, 16384)},
                                   AllocationStrategy::kBestFitProgressive));
  EXPECT_EQ(ShapesOf(progressive), (std::vector<std::string>{"c8"}));
}

TEST_F(AutoscaleTest, MaxvCpusCapsTheScaleOutAndSaysWhy) {
  Submit(10, R(2, 1024));
  const auto plan = Plan(Ce("ce", 0, 8, {Shape("c4", 4, 8192)}));
  EXPECT_EQ(plan.creates.size(), 2u);
  EXPECT_EQ(plan.desired_vcpus, 8);
  EXPECT_EQ(plan.held_back, "6 jobs needing 12 vCPU wait: ce is at maxvCpus 8");
  EXPECT_EQ(plan.hold, ScalingPlan::Hold::kAtMaxvCpus);
}

TEST_F(AutoscaleTest, ProgressiveFallsBackToASmallerShapeUnderTheCap) {
  Submit(4, R(1, 1024));
  const auto best_fit = Plan(Ce("ce", 0, 6, {Shape("c2", 2, 4096), Shape("c4", 4, 8192)},
                                AllocationStrategy::kBestFitProgressive));
  // A c4 takes four jobs but a second c4 would pass 6 vCPU: a c4 alone fits them all.
  EXPECT_EQ(ShapesOf(best_fit), (std::vector<std::string>{"c4"}));
  Submit(2, R(1, 1024));
  const auto more = Plan(Ce("ce", 0, 6, {Shape("c2", 2, 4096), Shape("c4", 4, 8192)},
                            AllocationStrategy::kBestFitProgressive));
  EXPECT_EQ(ShapesOf(more), (std::vector<std::string>{"c4", "c2"}));
}

TEST_F(AutoscaleTest, MinFloorIsKeptWithoutDemand) {
  const auto plan = Plan(Ce("ce", 3, 64, {Shape("c2", 2, 4096), Shape("c4", 4, 8192)}));
  EXPECT_EQ(ShapesOf(plan), (std::vector<std::string>{"c2", "c2"}));
  EXPECT_EQ(plan.create_reason, "scale out ce by 2×c2 to keep minvCpus 3");
}

TEST_F(AutoscaleTest, LaunchingAndFreeRoomAbsorbDemandBeforeNewNodes) {
  Submit(5, R(1, 1024));
  ScalingCe ce = Ce("ce", 0, 64, {Shape("c4", 4, 8192)});
  ce.nodes.push_back(Ready("n1", R(4, 8192), R(3, 1024), true));  // one free vCPU
  ce.nodes.push_back(Launching("n2", R(4, 8192)));
  const auto plan = Plan(ce);
  EXPECT_TRUE(plan.creates.empty());
  EXPECT_EQ(plan.desired_vcpus, 8);
}

TEST_F(AutoscaleTest, IdleNodesGoAfterTheDelayDownToMin) {
  ScalingCe ce = Ce("ce", 8, 64, {Shape("c4", 4, 8192)});
  ce.scale_down_delay_ms = 300'000;
  ce.nodes.push_back(Ready("old", R(4, 8192), {}, false, kNow - 400'000));
  ce.nodes.push_back(Ready("older", R(4, 8192), {}, false, kNow - 500'000));
  ce.nodes.push_back(Ready("fresh", R(4, 8192), {}, false, kNow - 10'000));
  const auto plan = Plan(ce);
  ASSERT_EQ(plan.removals.size(), 1u);  // one of the two past the delay; min keeps the other
  EXPECT_EQ(plan.removals[0].node_id, "older");
  EXPECT_EQ(plan.removals[0].reason, "remove node older: idle 500 s (scale-down delay 300 s)");
  EXPECT_EQ(plan.desired_vcpus, 8);
}

TEST_F(AutoscaleTest, ABusyNodeIsNeverRemoved) {
  ScalingCe ce = Ce("ce", 0, 64, {Shape("c4", 4, 8192)});
  ce.deleting = true;
  ce.nodes.push_back(Ready("busy", R(4, 8192), R(1, 512), true, kNow - 900'000));
  const auto plan = Plan(ce);
  EXPECT_TRUE(plan.removals.empty());
}

TEST_F(AutoscaleTest, AnIdleNodeAWaitingJobCountsOnStays) {
  Submit(1, R(1, 1024));  // arrived after the last placement pass
  ScalingCe ce = Ce("ce", 0, 64, {Shape("c4", 4, 8192)});
  ce.nodes.push_back(Ready("idle", R(4, 8192), {}, false, kNow - 900'000));
  const auto plan = Plan(ce);
  EXPECT_TRUE(plan.removals.empty());
  EXPECT_TRUE(plan.creates.empty());
}

TEST_F(AutoscaleTest, ANodeThatNeverRegistersIsRemovedAsABootFailure) {
  Submit(1, R(1, 1024));
  ScalingCe ce = Ce("ce", 0, 64, {Shape("c4", 4, 8192)});
  ce.boot_timeout_ms = 60'000;
  ce.nodes.push_back(Launching("stuck", R(4, 8192), kNow - 61'000));
  const auto plan = Plan(ce);
  ASSERT_EQ(plan.removals.size(), 1u);
  EXPECT_TRUE(plan.removals[0].boot_failed);
  EXPECT_EQ(plan.removals[0].reason, "node stuck did not register within 60 s of its launch");
  EXPECT_EQ(plan.creates.size(), 1u);  // its job still needs a node
}

TEST_F(AutoscaleTest, AFailingProviderBacksOffAndSaysSo) {
  Submit(3, R(1, 1024));
  ScalingCe ce = Ce("ce", 0, 64, {Shape("c4", 4, 8192)});
  ce.create_not_before_ms = kNow + 20'000;
  const auto plan = Plan(ce);
  EXPECT_TRUE(plan.creates.empty());
  EXPECT_EQ(plan.held_back, "3 jobs wait: the provider failed; next try in 20 s");
  EXPECT_EQ(plan.hold, ScalingPlan::Hold::kProviderBackoff);
  EXPECT_EQ(Plan(ce, kNow + 20'000).creates.size(), 1u);
}

TEST_F(AutoscaleTest, DisabledEnvironmentTakesNoNewNodesButScalesIn) {
  cluster_.Managed("ce", 64, {}, /*enabled=*/false);
  Submit(3, R(1, 1024));
  ScalingCe ce = Ce("ce", 0, 64, {Shape("c4", 4, 8192)});
  ce.enabled = false;
  ce.nodes.push_back(Ready("idle", R(4, 8192), {}, false, kNow - 400'000));
  const auto plan = Plan(ce);
  EXPECT_TRUE(plan.creates.empty());
  ASSERT_EQ(plan.removals.size(), 1u);
}

TEST_F(AutoscaleTest, DeletingEnvironmentRemovesIdleNodesBelowMinAtOnce) {
  ScalingCe ce = Ce("ce", 8, 64, {Shape("c4", 4, 8192)});
  ce.deleting = true;
  ce.nodes.push_back(Ready("a", R(4, 8192)));
  ce.nodes.push_back(Ready("b", R(4, 8192)));
  const auto plan = Plan(ce);
  EXPECT_EQ(plan.removals.size(), 2u);
  EXPECT_TRUE(plan.creates.empty());
  EXPECT_EQ(plan.desired_vcpus, 0);
}

TEST_F(AutoscaleTest, DemandGoesToTheFirstEnvironmentThatCouldEverFitIt) {
  ClusterViewBuilder cluster;
  cluster.Queue("q", 1, {"small", "big"}).Managed("small", 64, {}).Managed("big", 64, {});
  WaitingJobs jobs;
  jobs.Add(Job("tiny", "q", R(1, 1024)), {});
  jobs.Add(Job("huge", "q", R(16, 1024)), {});
  std::map<std::string, ScalingCe> ces{{"small", Ce("small", 0, 64, {Shape("c2", 2, 4096)})},
                                       {"big", Ce("big", 0, 64, {Shape("c16", 16, 32768)})}};
  const auto plans = PlanScaling(cluster, jobs, ces, kNow);
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].compute_environment, "big");
  EXPECT_EQ(ShapesOf(plans[0]), (std::vector<std::string>{"c16"}));
  EXPECT_EQ(ShapesOf(plans[1]), (std::vector<std::string>{"c2"}));
}

TEST_F(AutoscaleTest, AnUnmanagedEnvironmentFirstInLineKeepsTheDemand) {
  ClusterViewBuilder cluster;
  cluster.Queue("q", 1, {"mine", "cloud"}).Unmanaged("mine").Managed("cloud", 64, {});
  cluster.LargestKnown("mine", R(8, 16384));
  WaitingJobs jobs;
  jobs.Add(Job("j", "q", R(1, 1024)), {});
  std::map<std::string, ScalingCe> ces{{"cloud", Ce("cloud", 0, 64, {Shape("c2", 2, 4096)})}};
  EXPECT_TRUE(PlanScaling(cluster, jobs, ces, kNow)[0].creates.empty());
}

TEST_F(AutoscaleTest, SpotCapacityOptimizedPacksLikeProgressive) {
  Submit(6, R(1, 1024));
  const std::vector<NodeShapeSpec> shapes = {Shape("c2", 2, 4096), Shape("c8", 8, 16384)};
  const auto spot = Plan(Ce("ce", 0, 64, shapes, AllocationStrategy::kSpotCapacityOptimized));
  const auto progressive = Plan(Ce("ce", 0, 64, shapes, AllocationStrategy::kBestFitProgressive));
  // Three full c2s use their vCPUs better than one c8 with two left over.
  EXPECT_EQ(ShapesOf(spot), (std::vector<std::string>{"c2", "c2", "c2"}));
  EXPECT_EQ(ShapesOf(spot), ShapesOf(progressive));
}

TEST(AllowedShapesTest, DefaultsNarrowsAndOrders) {
  batch::v1::ComputeResource cr;
  auto shapes = AllowedShapes(cr);
  ASSERT_EQ(shapes.size(), 1u);
  EXPECT_EQ(shapes[0].name, "default");
  EXPECT_EQ(shapes[0].resources.vcpus, 1);
  EXPECT_EQ(shapes[0].resources.memory_mib, 1024);

  for (auto [name, vcpus] : {std::pair{"big", 8}, std::pair{"small", 2}, std::pair{"mid", 4}}) {
    auto* s = cr.add_node_shapes();
    s->set_name(name);
    s->set_vcpus(vcpus);
    s->set_memory_mib(vcpus * 1024);
  }
  shapes = AllowedShapes(cr);
  ASSERT_EQ(shapes.size(), 3u);
  EXPECT_EQ(shapes[0].name, "small");
  EXPECT_EQ(shapes[2].name, "big");
  cr.add_instance_types("big");
  cr.add_instance_types("small");
  shapes = AllowedShapes(cr);
  ASSERT_EQ(shapes.size(), 2u);
  EXPECT_EQ(shapes[0].name, "small");
  cr.add_instance_types("optimal");
  EXPECT_EQ(AllowedShapes(cr).size(), 3u);
}

}  // namespace
}  // namespace batchd::core
