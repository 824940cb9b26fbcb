// Nodes: one row per agent machine, the API message in `detail`. Written when a node
// registers or changes state; heartbeats stay in the scheduler's memory.
#include <algorithm>
#include <array>
#include <map>

#include "api/api_error.h"
#include "api/text.h"
#include "store/connection_pool.h"
#include "store/row_codec.h"
#include "store/statements.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::NodeDetail;
using internal::ArrayLiteral;

constexpr int kNodeColumns = 5;

constexpr char kUpsertNodes[] = R"sql(
INSERT INTO nodes (node_id, compute_environment, state, detail, updated_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[])
ON CONFLICT (node_id) DO UPDATE SET compute_environment = excluded.compute_environment,
  state = excluded.state, detail = excluded.detail, updated_at = excluded.updated_at
)sql";

}  // namespace

void internal::PrepareNodeStatements(pqxx::connection& conn) {
  conn.prepare("nodes_upsert", kUpsertNodes);
  conn.prepare("nodes_load", "SELECT node_id, detail FROM nodes ORDER BY node_id");
}

void Store::UpsertNodes(const std::vector<NodeDetail>& nodes) {
  if (nodes.empty()) return;
  // One row may be written once per statement: the last version of a node wins. The map
  // also orders the rows, so two writers lock them in the same order.
  std::map<std::string, const NodeDetail*> latest;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].node_id().empty()) {
      api::ThrowInvalid("nodes[" + std::to_string(i) + "].nodeId", "must not be empty");
    }
    latest[nodes[i].node_id()] = &nodes[i];
  }
  const std::string now = std::to_string(api::EpochMillisNow());
  std::array<std::vector<std::optional<std::string>>, kNodeColumns> c;
  for (const auto& [id, node] : latest) {
    int k = 0;
    c[k++].push_back(id);
    c[k++].push_back(node->compute_environment());
    c[k++].push_back(batch::v1::NodeState::Value_Name(node->state()));
    c[k++].push_back(internal::ByteaText(node->SerializeAsString()));
    c[k++].push_back(now);
  }
  internal::InTransaction(*pool_, "nodes", [&](pqxx::work& txn) {
    txn.exec_prepared("nodes_upsert", ArrayLiteral(c[0]), ArrayLiteral(c[1]), ArrayLiteral(c[2]),
                      ArrayLiteral(c[3]), ArrayLiteral(c[4]));
  });
}

std::vector<NodeDetail> Store::LoadNodes() {
  return internal::InTransaction(*pool_, "nodes", [&](pqxx::work& txn) {
    std::vector<NodeDetail> nodes;
    for (const auto& row : txn.exec_prepared("nodes_load")) {
      internal::FromBytea(row["detail"], &nodes.emplace_back(),
                          "node \"" + std::string(row["node_id"].c_str()) + "\"");
    }
    return nodes;
  });
}

}  // namespace batchd::store
