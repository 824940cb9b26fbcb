#include "cli/commands/tables.h"

#include <gtest/gtest.h>

#include <sstream>

#include <yaml-cpp/yaml.h>

#include "api/json_yaml.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;

std::string Printed(const Table& table) {
  std::ostringstream out;
  table.Print(out);
  return out.str();
}

TEST(NodeTable, ShowsUsedOfTotalJobsAndHeartbeatAge) {
  const int64_t now = 1'700'000'100'000;
  NodeDetail node;
  node.set_node_id("node-a");
  node.set_compute_environment("arn:batchd:batch:local:000000000000:compute-environment/ce-a");
  node.set_state(NodeState::READY);
  node.mutable_total()->set_vcpus(8);
  node.mutable_total()->set_memory_mib(16384);
  node.mutable_used()->set_vcpus(2);
  node.mutable_used()->set_memory_mib(1024);
  node.add_attempt_ids("a1");
  node.add_attempt_ids("a2");
  node.set_last_heartbeat_at(now - 3'400);
  NodeDetail gpu;
  gpu.set_node_id("node-gpu");
  gpu.set_compute_environment("ce-b");
  gpu.set_state(NodeState::LOST);
  gpu.mutable_total()->set_vcpus(4);
  gpu.mutable_total()->set_memory_mib(4096);
  gpu.mutable_total()->set_gpus(2);
  gpu.mutable_used()->set_gpus(1);
  gpu.set_last_heartbeat_at(now - 600'000);
  gpu.add_container_runtimes("podman");
  NodeDetail fresh;
  fresh.set_node_id("node-new");
  fresh.set_state(NodeState::LAUNCHING);
  fresh.set_provider("local");
  fresh.set_shape("c4");
  fresh.set_capacity_type(batch::v1::CRType::SPOT);

  Table table = NodeTable();
  AddNodeRow(&table, node, now);
  AddNodeRow(&table, gpu, now);
  AddNodeRow(&table, fresh, now);
  EXPECT_EQ(Printed(table),
            "NODE       CE     STATE       PROVIDER   SHAPE   CAPACITY   VCPU   MEMORY-MIB   GPU   "
            "RUNTIME   JOBS   HEARTBEAT\n"
            "node-a     ce-a   READY       -          -       -          2/8    1024/16384   -     "
            "-         2      3s ago\n"
            "node-gpu   ce-b   LOST        -          -       -          0/4    0/4096       1/2   "
            "podman    0      10m ago\n"
            "node-new   -      LAUNCHING   local      c4      spot       0/0    0/0          -     "
            "-         0      -\n");
}

TEST(AttemptsComment, OneCommentedRowPerAttempt) {
  JobDetail job;
  EXPECT_EQ(AttemptsComment(job, 0), "");
  const int64_t t0 = 1'700'000'000'000;
  auto* first = job.add_attempts();
  first->set_attempt_number(1);
  first->set_node_id("node-a");
  first->set_started_at(t0);
  first->set_stopped_at(t0 + 12'345);
  first->mutable_container()->set_exit_code(3);
  first->set_status_reason("Essential container in task exited");
  auto* second = job.add_attempts();
  second->set_attempt_number(2);
  second->set_node_id("node-b");
  second->set_started_at(t0 + 20'000);
  second->set_stopped_at(t0 + 20'500);
  second->set_signal(9);
  second->set_infrastructure_failure(true);
  second->set_status_reason("node lost");
  auto* third = job.add_attempts();
  third->set_started_at(t0 + 30'000);
  EXPECT_EQ(AttemptsComment(job, t0 + 95'000),
            "# attempts:\n"
            "#   ATTEMPT   NODE     STARTED                DURATION          RESULT     REASON\n"
            "#   1         node-a   2023-11-14T22:13:20Z   12.3s             exit 3     "
            "Essential container in task exited\n"
            "#   2         node-b   2023-11-14T22:13:40Z   500ms             signal 9   "
            "node lost (infrastructure: not counted)\n"
            "#   3         -        2023-11-14T22:13:50Z   1m05s (running)   -          -\n");
}

TEST(AttemptsComment, KeepsDescribeOutputOneYamlDocument) {
  JobDetail job;
  job.set_job_id("j-1");
  auto* attempt = job.add_attempts();
  attempt->set_attempt_number(1);
  attempt->set_node_id("node-a");
  const std::string text = api::ToYaml(job) + AttemptsComment(job, 0);
  JobDetail parsed;
  api::FromYaml(YAML::Load(text), &parsed);
  EXPECT_EQ(parsed.job_id(), "j-1");
  EXPECT_EQ(parsed.attempts(0).node_id(), "node-a");
}

TEST(ExplanationText, StatusSummaryThenIndentedDetails) {
  ExplainJobResponse e;
  e.set_job_id("j-1");
  e.set_status(JobStatus::RUNNABLE);
  e.set_summary("no node can fit it: needs 8 vCPU");
  e.add_details("ce-a: largest node offers 4 vCPU; at maxvCpus 64/64");
  e.add_details("queue q: ENABLED");
  EXPECT_EQ(ExplanationText(e),
            "j-1  RUNNABLE\n"
            "no node can fit it: needs 8 vCPU\n"
            "  ce-a: largest node offers 4 vCPU; at maxvCpus 64/64\n"
            "  queue q: ENABLED\n");
}

}  // namespace
}  // namespace batchd::cli
