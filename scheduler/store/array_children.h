#pragma once
// Array children without rows of their own: they read as their parent row says, and get a
// row (copied from the parent) in the transaction that first changes them.
#include <string>
#include <vector>

#include <pqxx/transaction>

#include "batch/v1/types.pb.h"
#include "store/store.h"

namespace batchd::store::internal {

// The status and reason a child of the parent row `p` has while it has no row.
inline constexpr std::string_view kVirtualChildStatus =
    "(CASE WHEN p.is_cancelled OR p.is_terminated OR p.status IN ('SUCCEEDED', 'FAILED') "
    "THEN 'FAILED' ELSE coalesce(p.children_status, 'PENDING') END)";

// Writes rows for those of `ids` that are array children without one (parents are locked
// FOR SHARE first, so a parent being cancelled decides what the rows say).
void MaterializeChildren(pqxx::work& txn, const std::vector<std::string>& ids);
// Details of the children among `ids` that have no row, in no particular order.
std::vector<batch::v1::JobDetail> VirtualChildren(pqxx::work& txn,
                                                  const std::vector<std::string>& ids);
// Statuses of the children among `ids` that have no row.
std::vector<std::pair<std::string, batch::v1::JobStatus::Value>> VirtualChildStatuses(
    pqxx::work& txn, const std::vector<std::string>& ids);
// Every child's status by index; empty when `parent_id` is not an array parent.
std::vector<batch::v1::JobStatus::Value> ChildStatuses(pqxx::work& txn,
                                                       const std::string& parent_id);
// ListJobs of one array's children, in index order.
Page<batch::v1::JobSummary> ListArrayChildren(pqxx::work& txn, const JobQuery& query, int limit);
// Ends the children of a cancelled or terminated parent that have not started; a terminated
// parent's running children are marked terminated too.
void StopArrayChildren(pqxx::work& txn, const batch::v1::JobDetail& parent, int64_t now_ms);

}  // namespace batchd::store::internal
