#pragma once
// Prepared statements, registered on every pooled connection (libpqxx prepares each on the
// server at its first use on that connection).
#include <pqxx/connection>

namespace batchd::store::internal {

void PrepareStatements(pqxx::connection& conn);

void PrepareJobStatements(pqxx::connection& conn);
void PrepareDispatchStatements(pqxx::connection& conn);
void PrepareLogStatements(pqxx::connection& conn);
void PrepareNodeStatements(pqxx::connection& conn);
void PrepareEventStatements(pqxx::connection& conn);
void PrepareArrayStatements(pqxx::connection& conn);
void PrepareScheduleStatements(pqxx::connection& conn);
void PrepareQueueStatements(pqxx::connection& conn);
void PrepareWorkflowStatements(pqxx::connection& conn);

// Sent first in a transaction that runs the dispatcher's batch statements (dispatch.cc).
extern const char kPrimaryKeyPlans[];

}  // namespace batchd::store::internal
