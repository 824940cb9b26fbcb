#include "store/store.h"

#include <pqxx/except>

#include "api/api_error.h"
#include "store/array_children.h"
#include "store/connection_pool.h"
#include "store/migrations.h"
#include "store/statements.h"
#include "store/transaction.h"

namespace batchd::store {

void internal::PrepareStatements(pqxx::connection& conn) {
  PrepareJobStatements(conn);
  PrepareDispatchStatements(conn);
  PrepareLogStatements(conn);
  PrepareNodeStatements(conn);
  PrepareEventStatements(conn);
  PrepareArrayStatements(conn);
  PrepareScheduleStatements(conn);
  PrepareQueueStatements(conn);
  PrepareWorkflowStatements(conn);
}

Store::Store(const std::string& database_url, int connections)
    : pool_(std::make_unique<ConnectionPool>(database_url, connections,
                                             &internal::PrepareStatements)) {
  auto lease = pool_->Acquire();
  try {
    internal::Migrate(*lease);
  } catch (const pqxx::broken_connection& e) {
    lease.Discard();
    throw api::ApiError(api::ErrorCode::kUnavailable,
                        "database unavailable: " + pool_->Redact(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw api::ApiError(api::ErrorCode::kInternal,
                        "applying database migrations failed: " + pool_->Redact(e.what()));
  }
}

Store::~Store() = default;

int Store::SchemaVersion() {
  return internal::InTransaction(*pool_, "schema version",
                                 [](pqxx::work& txn) { return internal::SchemaVersionOf(txn); });
}

}  // namespace batchd::store
