#include "store/transaction.h"

#include <chrono>

#include <pqxx/except>

#include "api/api_error.h"

namespace batchd::store::internal {
namespace {

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

[[noreturn]] void ThrowUnavailable(const ConnectionPool& pool, const std::string& detail) {
  throw api::ApiError(api::ErrorCode::kUnavailable,
                      "database unavailable: " + pool.Redact(FirstLine(detail)));
}

}  // namespace

void HandleTransactionFailure(const ConnectionPool& pool, const std::string& what,
                              RetryState& state, bool& discard) {
  try {
    throw;
  } catch (const LostRace&) {
    // fall through to the attempt count
  } catch (const pqxx::statement_completion_unknown& e) {
    // The server may or may not have applied it: running it again could apply it twice.
    discard = true;
    ThrowUnavailable(pool, e.what());
  } catch (const pqxx::transaction_rollback&) {
    // Deadlock or serialization failure: PostgreSQL rolled back; a rerun is safe.
  } catch (const pqxx::in_doubt_error& e) {
    discard = true;
    ThrowUnavailable(pool, std::string("commit outcome unknown: ") + e.what());
  } catch (const pqxx::broken_connection& e) {
    // A pooled connection may have died while idle (server restart): retry once on a new one.
    discard = true;
    if (state.reconnected) ThrowUnavailable(pool, e.what());
    state.reconnected = true;
    return;
  } catch (const pqxx::unique_violation& e) {
    throw api::ApiError(api::ErrorCode::kAlreadyExists,
                        what + " already exists (" + FirstLine(e.what()) + ")");
  } catch (const pqxx::foreign_key_violation& e) {
    throw api::ApiError(api::ErrorCode::kFailedPrecondition,
                        what + " is referenced by another resource (" + FirstLine(e.what()) + ")");
  } catch (const pqxx::sql_error& e) {
    throw api::ApiError(api::ErrorCode::kInternal,
                        "database error on " + what + ": " + pool.Redact(FirstLine(e.what())));
  }
  if (++state.attempts >= kMaxAttempts) {
    throw api::ApiError(api::ErrorCode::kAborted, what + " was changed concurrently " +
                                                      std::to_string(kMaxAttempts) +
                                                      " times in a row; try again");
  }
}

}  // namespace batchd::store::internal
