// Jobs with an image go only to nodes whose agent has a container runtime.
#include <gtest/gtest.h>

#include "cluster_view_builder.h"
#include "core/fit.h"
#include "core/placement.h"

namespace batchd::core {
namespace {

constexpr int64_t kNow = 10'000'000;

Resources WithRuntime(Resources r) {
  r.container = true;
  return r;
}

struct Fixture {
  PlacementOptions options;
  WaitingJobs jobs;
  void Add(const WaitingJob& job) { jobs.Add(job, options); }
};

TEST(ContainerPlacement, TheRuntimeIsACapabilityNotAnAmount) {
  const Resources image_job = WithRuntime(R(1, 512));
  EXPECT_FALSE(Fits(image_job, R(4, 8192)));
  EXPECT_TRUE(Fits(image_job, WithRuntime(R(4, 8192))));
  EXPECT_TRUE(Fits(R(1, 512), WithRuntime(R(4, 8192))));
  EXPECT_TRUE(Minus(WithRuntime(R(4, 8192)), image_job).container);
  EXPECT_EQ(ResourcesText(image_job), "1 vCPU, 512 MiB, a container runtime");
}

TEST(ContainerPlacement, ImageJobsGoOnlyToNodesWithARuntime) {
  ClusterViewBuilder cluster;
  // The node without a runtime fits best by size; the image jobs must pass it by.
  cluster.Unmanaged("ce-a")
      .Node("plain", "ce-a", R(2, 2048))
      .Node("podman", "ce-a", WithRuntime(R(8, 16384)));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.Add(Job("image-1", "q", WithRuntime(R(1, 512)), kNow - 3));
  f.Add(Job("image-2", "q", WithRuntime(R(1, 512)), kNow - 2));
  f.Add(Job("process", "q", R(1, 512), kNow - 1));
  const PassResult result = PlaceJobs(cluster, f.jobs, kNow, f.options);
  std::map<std::string, std::string> where;
  for (const Placement& p : result.placed) where[p.job_id] = p.node_id;
  EXPECT_EQ(where["image-1"], "podman");
  EXPECT_EQ(where["image-2"], "podman");
  EXPECT_EQ(where["process"], "plain");
  EXPECT_TRUE(result.infeasible.empty());
}

TEST(ContainerPlacement, NoRuntimeAnywhereWaitsAndExplainSaysWhy) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a").Node("n1", "ce-a", R(4, 8192)).Node("n2", "ce-a", R(4, 8192));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.Add(Job("j", "q", WithRuntime(R(1, 512)), kNow));
  const PassResult result = PlaceJobs(cluster, f.jobs, kNow, f.options);
  EXPECT_TRUE(result.placed.empty());
  // An agent may get a runtime later: the job waits rather than fail as infeasible.
  EXPECT_TRUE(result.infeasible.empty());
  const Explanation e = ExplainWaiting(cluster, f.jobs, "j", kNow, f.options);
  EXPECT_EQ(e.summary,
            "needs a container runtime (podman or docker) for its image; none of the 2 "
            "schedulable nodes in ce-a has one");
}

TEST(ContainerPlacement, ARuntimeNodeThatIsFullMeansWaitingForCapacity) {
  ClusterViewBuilder cluster;
  cluster.Unmanaged("ce-a")
      .Node("plain", "ce-a", R(8, 8192))
      .Node("podman", "ce-a", WithRuntime(R(2, 2048)), WithRuntime(R(2, 2048)));
  cluster.Queue("q", 1, {"ce-a"});
  Fixture f;
  f.Add(Job("j", "q", WithRuntime(R(1, 512)), kNow));
  EXPECT_TRUE(PlaceJobs(cluster, f.jobs, kNow, f.options).placed.empty());
  const Explanation e = ExplainWaiting(cluster, f.jobs, "j", kNow, f.options);
  // The free node without a runtime is no offer for it.
  EXPECT_EQ(e.summary,
            "waiting for capacity: needs 1 vCPU, 512 MiB, a container runtime; largest free node "
            "in ce-a offers 0 vCPU, 0 MiB, a container runtime");
}

TEST(ContainerPlacement, ManagedShapesAreTakenToHaveARuntime) {
  ClusterViewBuilder cluster;
  cluster.Managed("ce-m", 16, {WithRuntime(R(4, 8192))});
  cluster.Queue("q", 1, {"ce-m"});
  Fixture f;
  f.Add(Job("j", "q", WithRuntime(R(1, 512)), kNow));
  const PassResult result = PlaceJobs(cluster, f.jobs, kNow, f.options);
  EXPECT_TRUE(result.infeasible.empty());
  EXPECT_EQ(ExplainWaiting(cluster, f.jobs, "j", kNow, f.options).summary,
            "no nodes registered in ce-m");
}

}  // namespace
}  // namespace batchd::core
