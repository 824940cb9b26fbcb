#pragma once
// Statements over a batch of keys (`= ANY($1)`, or a join with unnest($1, ...) on jobs) are
// sent unprepared, so that PostgreSQL plans each for the batch at hand. A prepared statement
// keeps a generic plan, made once for a ten-element array and the table size of that moment:
// one made on a fresh database scans the whole jobs table for every batch of the scheduler's
// loop until an autovacuum happens to invalidate it. One-row statements and the submit stay
// prepared: their plans do not depend on the table's size, and planning the submit on every
// call cost a quarter of the single-submit rate. The dispatcher's two batch statements are
// prepared too, with settings that keep their one plan on the primary key (kPrimaryKeyPlans).
#include <pqxx/transaction_base>
#include <string>
#include <utility>

namespace batchd::store::internal {

template <typename... Args>
pqxx::result ExecBatch(pqxx::transaction_base& txn, const std::string& sql, Args&&... args) {
  return txn.exec_params(sql, std::forward<Args>(args)...);
}

}  // namespace batchd::store::internal
