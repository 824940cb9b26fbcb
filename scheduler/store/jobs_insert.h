#pragma once
// Writing submitted jobs inside a caller's transaction (InsertJobs, and a schedule firing
// with the record of its run).
#include <vector>

#include <pqxx/transaction>

#include "store/store.h"

namespace batchd::store::internal {

// Each chunk of up to kInsertChunkRows jobs is one statement, which checks and locks their
// queues, inserts and commits them in one round trip when `txn` is a nontransaction. Run
// again after an unknown outcome, it answers the same (the job ids are the caller's).
std::vector<batch::v1::SubmitJobResponse> InsertNewJobs(pqxx::transaction_base& txn,
                                                        const std::vector<NewJob>& jobs);

// Rows per INSERT: large enough to amortise the round trip, small enough to bound the size of
// one statement's parameters (a few MB).
inline constexpr size_t kInsertChunkRows = 1000;

}  // namespace batchd::store::internal
