// Managed compute environments: batchd starts and stops real batch-agent processes as the
// load comes and goes, itself (local provider) or through an operator's scripts (exec).
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class AutoscaleTest : public DispatchTest {
 protected:
  // A managed environment with one node shape of 2 vCPU and 1024 MiB (local provider).
  static CreateComputeEnvironmentRequest Managed(const std::string& name, int min_vcpus,
                                                 int max_vcpus, const std::string& shape_name,
                                                 CRType::Value type, int scale_down_delay_seconds,
                                                 int boot_timeout_seconds) {
    CreateComputeEnvironmentRequest req;
    req.set_compute_environment_name(name);
    req.set_type(CEType::MANAGED);
    auto* cr = req.mutable_compute_resources();
    cr->set_type(type);
    cr->set_minv_cpus(min_vcpus);
    cr->set_maxv_cpus(max_vcpus);
    auto* shape = cr->add_node_shapes();
    shape->set_name(shape_name);
    shape->set_vcpus(2);
    shape->set_memory_mib(1024);
    cr->set_scale_down_delay_seconds(scale_down_delay_seconds);
    cr->set_node_boot_timeout_seconds(boot_timeout_seconds);
    return req;
  }

  void CreateManaged(const std::string& name, int min_vcpus, int max_vcpus,
                     int scale_down_delay_seconds = 1, CRType::Value type = CRType::EC2) {
    CreateComputeEnvironment(
        Managed(name, min_vcpus, max_vcpus, "small", type, scale_down_delay_seconds, 60));
  }

  std::vector<NodeDetail> NodesIn(const std::string& ce, std::set<NodeState::Value> states) {
    std::vector<NodeDetail> out;
    for (auto& node : Nodes()) {
      if (node.compute_environment() == ce && states.count(node.state())) out.push_back(node);
    }
    return out;
  }

  // An exec environment whose commands are scripts of exec_provider/ (see create.sh).
  void CreateExec(const std::string& name, const std::string& create, const std::string& del,
                  int boot_timeout_seconds = 60) {
    nodes_dir_ = dir_->path() / "exec-nodes";
    std::filesystem::create_directories(nodes_dir_);
    const std::string env = "AGENT='" + AgentBinary() + "' NODES='" + nodes_dir_.string() +
                            "' sh '" + std::string(BATCHD_EXEC_SCRIPTS) + "/";
    CreateComputeEnvironmentRequest req =
        Managed(name, 0, 4, "c2", CRType::SPOT, 1, boot_timeout_seconds);
    auto* cr = req.mutable_compute_resources();
    cr->mutable_provider()->set_type("exec");
    cr->mutable_provider()->set_create_command(env + create + "'");
    cr->mutable_provider()->set_delete_command(env + del + "'");
    cr->mutable_provider()->set_command_timeout_seconds(20);
    CreateComputeEnvironment(req);
  }

  std::vector<EventDetail> Events(const std::string& ce) {
    ListEventsRequest req;
    req.set_compute_environment(ce);
    grpc::ClientContext ctx;
    ListEventsResponse resp;
    EXPECT_TRUE(stub_->ListEvents(&ctx, req, &resp).ok());
    return {resp.events().rbegin(), resp.events().rend()};
  }

  bool HasEvent(const std::string& ce, const std::string& part) {
    for (const auto& e : Events(ce)) {
      if (e.message().find(part) != std::string::npos) return true;
    }
    return false;
  }

  ComputeEnvironmentDetail DescribeCe(const std::string& name) {
    DescribeComputeEnvironmentsRequest req;
    req.add_compute_environments(name);
    grpc::ClientContext ctx;
    DescribeComputeEnvironmentsResponse resp;
    EXPECT_TRUE(stub_->DescribeComputeEnvironments(&ctx, req, &resp).ok());
    return resp.compute_environments_size() == 1 ? resp.compute_environments(0)
                                                 : ComputeEnvironmentDetail{};
  }

  size_t LiveNodes(const std::string& ce) {
    return NodesIn(ce, {NodeState::LAUNCHING, NodeState::READY, NodeState::DRAINING}).size();
  }

  std::filesystem::path nodes_dir_;
};

TEST_F(AutoscaleTest, BurstScalesOutWithinMaxRunsEverythingAndScalesBackIn) {
  CreateManaged("auto", 0, 4);
  CreateQueue("q", "auto");
  Register("work", {.script = "sleep 1", .vcpus = 1});
  EXPECT_EQ(LiveNodes("auto"), 0u);

  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Submit("q", "work"));

  // 6 vCPU wanted, 4 allowed: two nodes of 2 vCPU, never more.
  size_t most = 0;
  ASSERT_TRUE(PollUntil(
      [&] {
        most = std::max(most, LiveNodes("auto"));
        return NodesIn("auto", {NodeState::READY}).size() == 2;
      },
      std::chrono::seconds(30)))
      << Diagnostics();
  for (const auto& node : NodesIn("auto", {NodeState::READY})) {
    EXPECT_EQ(node.provider(), "local");
    EXPECT_EQ(node.shape(), "small");
    EXPECT_EQ(node.capacity_type(), CRType::EC2);
    EXPECT_EQ(node.total().vcpus(), 2);
  }
  for (const auto& id : ids) {
    const JobDetail job = WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(60));
    most = std::max(most, LiveNodes("auto"));
    // Never cut short by a scale-in: one attempt each.
    EXPECT_EQ(job.attempts_size(), 1) << id;
  }
  EXPECT_LE(most, 2u);

  // Idle past the delay of 1 s, down to minvCpus 0.
  EXPECT_TRUE(PollUntil([&] { return LiveNodes("auto") == 0; }, std::chrono::seconds(30)))
      << Diagnostics();
  for (const auto& node : NodesIn("auto", {NodeState::TERMINATED})) {
    EXPECT_NE(node.status_reason().find("idle"), std::string::npos) << node.status_reason();
  }
  // Said once, not on every decision: the cap held two jobs back for a while.
  int capped = 0;
  for (const auto& e : Events("auto")) {
    capped += e.message().find("auto is at maxvCpus 4") != std::string::npos ? 1 : 0;
  }
  EXPECT_GE(capped, 1);
  EXPECT_LE(capped, 2);
  EXPECT_LE(Events("auto").size(), 12u);
}

TEST_F(AutoscaleTest, MinvCpusIsKeptWithoutJobsAndAfterThem) {
  CreateManaged("floor", 2, 8);
  CreateQueue("q", "floor");
  Register("quick", {.command = {"/bin/true"}, .vcpus = 1});
  ASSERT_TRUE(PollUntil([&] { return NodesIn("floor", {NodeState::READY}).size() == 1; },
                        std::chrono::seconds(30)))
      << Diagnostics();
  const std::string node_id = NodesIn("floor", {NodeState::READY}).front().node_id();

  WaitFor(Submit("q", "quick"), JobStatus::SUCCEEDED);
  // Well past the 1 s delay the one node that keeps minvCpus is still there.
  EXPECT_FALSE(PollUntil([&] { return LiveNodes("floor") != 1; }, std::chrono::seconds(4)));
  EXPECT_EQ(NodesIn("floor", {NodeState::READY}).front().node_id(), node_id);
}

TEST_F(AutoscaleTest, DisabledEnvironmentGetsNoNodesUntilEnabled) {
  CreateManaged("paused", 0, 4);
  CreateQueue("q", "paused");
  Register("quick", {.command = {"/bin/true"}, .vcpus = 1});
  UpdateComputeEnvironmentRequest disable;
  disable.set_compute_environment("paused");
  disable.set_state(CEState::DISABLED);
  UpdateComputeEnvironment(disable);

  const std::string id = Submit("q", "quick");
  EXPECT_FALSE(PollUntil([&] { return LiveNodes("paused") > 0; }, std::chrono::seconds(2)));
  EXPECT_EQ(Describe(id).status(), JobStatus::RUNNABLE);

  UpdateComputeEnvironmentRequest enable;
  enable.set_compute_environment("paused");
  enable.set_state(CEState::ENABLED);
  UpdateComputeEnvironment(enable);
  WaitFor(id, JobStatus::SUCCEEDED);
}

TEST_F(AutoscaleTest, ScalingDecisionsAreEventsWithReasonsAndDesiredvCpusIsReported) {
  CreateManaged("told", 0, 4);
  CreateQueue("q", "told");
  Register("quick", {.command = {"/bin/true"}, .vcpus = 1});
  const std::string id = Submit("q", "quick");
  WaitFor(id, JobStatus::SUCCEEDED);
  EXPECT_TRUE(PollUntil([&] { return HasEvent("told", "idle"); }, std::chrono::seconds(20)));
  const auto events = Events("told");
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0].message(), "scale out told by 1×small for 1 RUNNABLE job needing 1 vCPU");
  EXPECT_NE(events[1].message().find("registered"), std::string::npos) << events[1].message();
  EXPECT_EQ(events[1].node_id(), events[2].node_id());
  EXPECT_NE(events[2].message().find("idle"), std::string::npos) << events[2].message();
  EXPECT_TRUE(
      PollUntil([&] { return DescribeCe("told").compute_resources().desiredv_cpus() == 0; }));
}

// The scripts an operator would write around a cloud CLI; here they start and stop agents on
// this machine, and log what they were asked.
TEST_F(AutoscaleTest, ExecProviderDrivesTheOperatorsCommands) {
  CreateExec("ex", "create.sh", "delete.sh");
  CreateQueue("q", "ex");
  Register("quick", {.command = {"/bin/true"}, .vcpus = 1});
  const std::string id = Submit("q", "quick");
  WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(30));
  const auto nodes = NodesIn("ex", {NodeState::READY, NodeState::DRAINING, NodeState::TERMINATED});
  ASSERT_EQ(nodes.size(), 1u) << Diagnostics();
  EXPECT_EQ(nodes[0].provider(), "exec");
  EXPECT_EQ(nodes[0].capacity_type(), CRType::SPOT);
  // Scaled in after the delay: the delete command ran for the node the create command made.
  ASSERT_TRUE(PollUntil([&] { return LiveNodes("ex") == 0; }, std::chrono::seconds(20)))
      << Diagnostics();
  std::ifstream requests(nodes_dir_ / "requests");
  std::string create, del;
  std::getline(requests, create);
  std::getline(requests, del);
  EXPECT_NE(create.find("\"action\":\"create\""), std::string::npos) << create;
  EXPECT_NE(create.find("\"nodeId\":\"" + nodes[0].node_id() + "\""), std::string::npos);
  EXPECT_NE(create.find("\"capacityType\":\"SPOT\""), std::string::npos) << create;
  EXPECT_NE(del.find("\"action\":\"delete\""), std::string::npos) << del;
  EXPECT_NE(del.find(nodes[0].node_id()), std::string::npos) << del;
}

TEST_F(AutoscaleTest, AFailingProviderIsShownOnTheEnvironmentAndBacksOff) {
  CreateExec("broken", "fail.sh", "delete.sh");
  CreateQueue("q", "broken");
  Register("quick", {.command = {"/bin/true"}, .vcpus = 1});
  const std::string id = Submit("q", "quick");
  ASSERT_TRUE(
      PollUntil([&] { return HasEvent("broken", "quota exceeded"); }, std::chrono::seconds(20)))
      << Diagnostics();
  bool found = false;
  for (const auto& e : Events("broken")) {
    if (e.message().find("quota exceeded") == std::string::npos) continue;
    found = true;
    EXPECT_NE(e.message().find("(1 in a row; no new node for 5 s): createCommand exited with "
                               "status 3: quota exceeded for c2"),
              std::string::npos)
        << e.message();
    break;
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(PollUntil([&] {
    return DescribeCe("broken").status_reason() ==
           "the node provider failed: createCommand exited with status 3: quota exceeded for c2";
  })) << DescribeCe("broken").status_reason();
  EXPECT_EQ(Describe(id).status(), JobStatus::RUNNABLE);
  EXPECT_EQ(LiveNodes("broken"), 0u);
  // And the job says why it waits.
  std::string details;
  EXPECT_TRUE(PollUntil([&] {
    details.clear();
    const ExplainJobResponse why = Explain(id);
    for (const auto& line : why.details()) details += line + "\n";
    return details.find("broken: 1 job waits: the provider failed; next try in") !=
           std::string::npos;
  })) << details;
}

TEST_F(AutoscaleTest, ASpotReclaimMovesTheJobWithoutUsingUpAnAttempt) {
  CreateManaged("spot", 0, 4, 1, CRType::SPOT);
  CreateQueue("q", "spot");
  Register("nap", {.script = "sleep 2", .vcpus = 2});
  const std::string id = Submit("q", "nap");
  const JobDetail running = WaitFor(id, JobStatus::RUNNING);
  const std::string first_node = running.attempts(0).node_id();

  // What a spot interruption watcher on the machine does.
  std::ofstream(dir_->path() / "batchd" / "nodes" / first_node / "termination-notice")
      << "spot instance interrupted\n";

  const JobDetail done = WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(60));
  ASSERT_EQ(done.attempts_size(), 2) << Diagnostics();
  EXPECT_TRUE(done.attempts(0).infrastructure_failure());
  EXPECT_NE(done.attempts(0).status_reason().find("reclaimed: spot instance interrupted"),
            std::string::npos)
      << done.attempts(0).status_reason();
  EXPECT_NE(done.attempts(1).node_id(), first_node);
  EXPECT_TRUE(HasEvent("spot", "node " + first_node + " was reclaimed"));
  EXPECT_TRUE(PollUntil([&] {
    for (const auto& n : NodesIn("spot", {NodeState::TERMINATED})) {
      if (n.node_id() == first_node) return true;
    }
    return false;
  })) << Diagnostics();
}

TEST_F(AutoscaleTest, DeletingAnEnvironmentGivesItsNodesBack) {
  CreateManaged("gone", 2, 4);
  ASSERT_TRUE(PollUntil([&] { return NodesIn("gone", {NodeState::READY}).size() == 1; },
                        std::chrono::seconds(30)))
      << Diagnostics();
  UpdateComputeEnvironmentRequest disable;
  disable.set_compute_environment("gone");
  disable.set_state(CEState::DISABLED);
  UpdateComputeEnvironment(disable);
  // Disabled, it still keeps minvCpus.
  EXPECT_FALSE(PollUntil([&] { return LiveNodes("gone") != 1; }, std::chrono::seconds(2)));

  DeleteComputeEnvironmentRequest del;
  del.set_compute_environment("gone");
  grpc::ClientContext ctx;
  DeleteComputeEnvironmentResponse resp;
  ASSERT_TRUE(stub_->DeleteComputeEnvironment(&ctx, del, &resp).ok());
  EXPECT_TRUE(PollUntil([&] { return LiveNodes("gone") == 0; }, std::chrono::seconds(20)))
      << Diagnostics();
  EXPECT_TRUE(HasEvent("gone", "gone is being deleted"));
}

TEST_F(AutoscaleTest, AProviderReportedReclaimKillsAndMovesTheJob) {
  CreateManaged("cloud", 0, 4, 1, CRType::SPOT);
  CreateQueue("q", "cloud");
  Register("nap", {.script = "sleep 2", .vcpus = 2});
  const std::string id = Submit("q", "nap");
  const std::string first_node = WaitFor(id, JobStatus::RUNNING).attempts(0).node_id();

  // What a cloud's interruption hook runs.
  auto r = RunCommand({BatchctlBinary(), "--server", batchd_->address(), "reclaim", "node",
                       first_node, "--reason", "capacity rebalance"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "node/" + first_node + " reclaimed\n");

  const JobDetail done = WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(60));
  ASSERT_EQ(done.attempts_size(), 2) << Diagnostics();
  EXPECT_TRUE(done.attempts(0).infrastructure_failure());
  EXPECT_NE(done.attempts(0).status_reason().find("reclaimed: capacity rebalance"),
            std::string::npos)
      << done.attempts(0).status_reason();
  EXPECT_NE(done.attempts(1).node_id(), first_node);

  r = RunCommand({BatchctlBinary(), "--server", batchd_->address(), "reclaim", "node", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: node \"nope\" not found\n");
}

TEST_F(AutoscaleTest, ANodeThatNeverRegistersIsDeletedAndCountsAsAFailure) {
  CreateExec("silent", "no_agent.sh", "delete_quietly.sh", /*boot_timeout_seconds=*/1);
  CreateQueue("q", "silent");
  Register("quick", {.command = {"/bin/true"}, .vcpus = 1});
  const std::string id = Submit("q", "quick");
  ASSERT_TRUE(PollUntil([&] { return HasEvent("silent", "did not register within 1 s"); },
                        std::chrono::seconds(20)))
      << Diagnostics();
  EXPECT_TRUE(PollUntil([&] { return HasEvent("silent", "(1 in a row; no new node for 5 s)"); }))
      << Diagnostics();
  EXPECT_TRUE(PollUntil([&] {
    std::ifstream requests(nodes_dir_ / "requests");
    std::string all((std::istreambuf_iterator<char>(requests)), std::istreambuf_iterator<char>());
    return all.find("\"action\":\"delete\"") != std::string::npos;
  }));
  EXPECT_EQ(Describe(id).status(), JobStatus::RUNNABLE);
}

}  // namespace
}  // namespace batchd::testing
