#pragma once
// One transaction per store call, with the retry rules shared by every resource.
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "store/connection_pool.h"

namespace batchd::store::internal {

// Thrown by a transaction body whose `WHERE version = $old` write touched no row: another
// writer got there first, so the whole read-mutate-write is run again.
struct LostRace {};

inline constexpr int kMaxAttempts = 5;

struct RetryState {
  int attempts = 0;
  bool reconnected = false;
};

// Classifies the exception being handled (call only inside a catch block). Returns normally
// when the transaction should be run again, setting `discard` when its connection is broken;
// otherwise throws: ApiError as is, database errors translated to ApiError (`what` names the
// resource, e.g. `compute environment "ce-a"`), anything else unchanged.
void HandleTransactionFailure(const ConnectionPool& pool, const std::string& what,
                              RetryState& state, bool& discard);

// Runs `body(txn)` in one transaction and commits it. Exceptions from `body` roll it back.
// With Txn = pqxx::nontransaction each statement commits by itself (no BEGIN and COMMIT
// round trips): only for a body of one statement, or of statements safe to run again.
template <typename Txn = pqxx::work, typename Body>
auto InTransaction(ConnectionPool& pool, const std::string& what, Body&& body) {
  using Result = decltype(body(std::declval<Txn&>()));
  RetryState state;
  for (;;) {
    auto lease = pool.Acquire();
    try {
      Txn txn(*lease);
      if constexpr (std::is_void_v<Result>) {
        body(txn);
        txn.commit();
        return;
      } else {
        Result result = body(txn);
        txn.commit();
        return result;
      }
    } catch (...) {
      bool discard = false;
      HandleTransactionFailure(pool, what, state, discard);
      if (discard) lease.Discard();
    }
  }
}

}  // namespace batchd::store::internal
