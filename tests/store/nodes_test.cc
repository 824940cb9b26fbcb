#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::NodeDetail;
using batch::v1::NodeState;

NodeDetail MakeNode(const std::string& id, NodeState::Value state) {
  NodeDetail node;
  node.set_node_id(id);
  node.set_compute_environment("ce");
  node.set_state(state);
  node.mutable_total()->set_vcpus(4);
  node.mutable_total()->set_memory_mib(8192);
  (*node.mutable_labels())["zone"] = "a";
  node.add_attempt_ids("att-1");
  node.set_registered_at(1000);
  return node;
}

using NodesTest = StoreTest;

TEST_F(NodesTest, UpsertedNodesLoadBackInIdOrder) {
  EXPECT_TRUE(store_->LoadNodes().empty());
  store_->UpsertNodes({MakeNode("n2", NodeState::LAUNCHING), MakeNode("n1", NodeState::READY)});
  auto nodes = store_->LoadNodes();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].node_id(), "n1");
  EXPECT_EQ(nodes[0].state(), NodeState::READY);
  EXPECT_EQ(nodes[0].labels().at("zone"), "a");
  EXPECT_EQ(nodes[0].attempt_ids(0), "att-1");
  EXPECT_EQ(nodes[1].node_id(), "n2");

  // An upsert replaces the row; a node given twice in one call ends in its last form.
  store_->UpsertNodes({MakeNode("n2", NodeState::READY), MakeNode("n2", NodeState::DRAINING),
                       MakeNode("n3", NodeState::LOST)});
  nodes = store_->LoadNodes();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[1].state(), NodeState::DRAINING);
  EXPECT_EQ(nodes[2].state(), NodeState::LOST);
  EXPECT_EQ(Count("SELECT count(*) FROM nodes WHERE state = 'DRAINING'"), 1);
}

TEST_F(NodesTest, ANodeWithoutIdIsRefused) {
  ExpectApiError([&] { store_->UpsertNodes({MakeNode("", NodeState::READY)}); },
                 ErrorCode::kInvalidArgument, "nodes[0].nodeId");
  store_->UpsertNodes({});
  EXPECT_TRUE(store_->LoadNodes().empty());
}

}  // namespace
}  // namespace batchd::store
