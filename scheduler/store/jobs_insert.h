#pragma once
// Writing submitted jobs inside a caller's transaction (InsertJobs, and a schedule firing
// with the record of its run).
#include <vector>

#include <pqxx/transaction>

#include "store/store.h"

namespace batchd::store::internal {

std::vector<batch::v1::SubmitJobResponse> InsertNewJobs(pqxx::work& txn,
                                                        const std::vector<NewJob>& jobs);

}  // namespace batchd::store::internal
