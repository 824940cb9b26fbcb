#pragma once
// Prepared statements, registered on every pooled connection (libpqxx prepares each on the
// server at its first use on that connection).
#include <pqxx/connection>

namespace batchd::store::internal {

void PrepareJobStatements(pqxx::connection& conn);

}  // namespace batchd::store::internal
