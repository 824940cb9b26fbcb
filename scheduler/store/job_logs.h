#pragma once
// Storing attempts' output, shared by UpdateJobs (logs travel with the status changes that
// an agent sent alongside them) and ReadLogs.
#include <vector>

#include <pqxx/transaction>

#include "store/store.h"

namespace batchd::store::internal {

// INVALID_ARGUMENT naming the field when a record cannot be stored (checked before the
// transaction starts, so nothing is half-written).
void CheckLogRecords(const std::vector<LogRecord>& logs);
// One statement for all records; pieces already stored are skipped.
void InsertLogs(pqxx::work& txn, const std::vector<LogRecord>& logs);

}  // namespace batchd::store::internal
