#pragma once
// The schema, as numbered migrations applied in order. A released migration is never
// edited: a change to the schema is a new, higher version.
#include <string_view>
#include <vector>

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace batchd::store::internal {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

const std::vector<Migration>& AllMigrations();

// Applies every migration newer than the database's, all in one transaction under an
// advisory lock so that batchd processes starting together apply each once. Refuses
// (FAILED_PRECONDITION) a database migrated by a newer batchd. Returns the schema version.
int Migrate(pqxx::connection& conn);

// 0 when no migration was ever applied.
int SchemaVersionOf(pqxx::transaction_base& txn);

}  // namespace batchd::store::internal
