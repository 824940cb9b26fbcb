// Compute environments: one row per environment, the API message in `detail`.
#include <pqxx/except>

#include "api/api_error.h"
#include "api/text.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::ComputeEnvironmentDetail;
using internal::FromBytea;
using internal::InTransaction;
using internal::ToBytea;

constexpr std::string_view kListing = "compute-environments";

std::string What(const std::string& name) { return "compute environment \"" + name + "\""; }

std::string StateText(const ComputeEnvironmentDetail& ce) {
  return batch::v1::CEState::Value_Name(ce.state());
}

}  // namespace

void Store::CreateComputeEnvironment(const ComputeEnvironmentDetail& input) {
  ComputeEnvironmentDetail ce = input;
  if (ce.created_at() == 0) ce.set_created_at(api::EpochMillisNow());
  if (ce.updated_at() == 0) ce.set_updated_at(ce.created_at());
  const std::string& name = ce.compute_environment_name();
  InTransaction(*pool_, What(name), [&](pqxx::work& txn) {
    auto result = txn.exec_params(
        "INSERT INTO compute_environments (name, state, detail, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
        name, StateText(ce), ToBytea(ce), ce.created_at(), ce.updated_at());
    if (result.affected_rows() == 0) api::ThrowAlreadyExists(What(name) + " already exists");
  });
}

std::optional<ComputeEnvironmentDetail> Store::GetComputeEnvironment(const std::string& name) {
  return InTransaction(
      *pool_, What(name), [&](pqxx::work& txn) -> std::optional<ComputeEnvironmentDetail> {
        auto rows =
            txn.exec_params("SELECT detail FROM compute_environments WHERE name = $1", name);
        if (rows.empty()) return std::nullopt;
        ComputeEnvironmentDetail ce;
        FromBytea(rows[0][0], &ce, What(name));
        return ce;
      });
}

Page<ComputeEnvironmentDetail> Store::DescribeComputeEnvironments(
    const std::vector<std::string>& names, int max_results, const std::string& next_token) {
  const int limit = internal::PageSize(max_results);
  std::string after;
  if (!next_token.empty()) after = internal::DecodePageToken(kListing, next_token, 1)[0];
  return InTransaction(*pool_, "compute environments", [&](pqxx::work& txn) {
    auto rows = txn.exec_params(
        "SELECT name, detail FROM compute_environments "
        "WHERE ($1::boolean OR name = ANY($2::text[])) AND name > $3 "
        "ORDER BY name LIMIT $4",
        names.empty(), internal::ArrayLiteral(names), after, limit + 1);
    Page<ComputeEnvironmentDetail> page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_token =
            internal::EncodePageToken(kListing, {page.items.back().compute_environment_name()});
        break;
      }
      FromBytea(row["detail"], &page.items.emplace_back(), What(row["name"].c_str()));
    }
    return page;
  });
}

ComputeEnvironmentDetail Store::UpdateComputeEnvironment(
    const std::string& name, const std::function<void(ComputeEnvironmentDetail&)>& mutate) {
  return InTransaction(*pool_, What(name), [&](pqxx::work& txn) {
    auto rows =
        txn.exec_params("SELECT version, detail FROM compute_environments WHERE name = $1", name);
    if (rows.empty()) api::ThrowNotFound(What(name) + " not found");
    const auto version = rows[0]["version"].as<int64_t>();
    ComputeEnvironmentDetail ce;
    FromBytea(rows[0]["detail"], &ce, What(name));
    const int64_t updated_before = ce.updated_at();
    mutate(ce);
    if (ce.compute_environment_name() != name) {
      api::ThrowInvalid("computeEnvironmentName", "cannot be changed");
    }
    if (ce.updated_at() == updated_before) ce.set_updated_at(api::EpochMillisNow());
    auto result = txn.exec_params(
        "UPDATE compute_environments SET state = $2, detail = $3, updated_at = $4, "
        "version = version + 1 WHERE name = $1 AND version = $5",
        name, StateText(ce), ToBytea(ce), ce.updated_at(), version);
    if (result.affected_rows() == 0) throw internal::LostRace{};
    return ce;
  });
}

void Store::DeleteComputeEnvironment(
    const std::string& name,
    const std::function<void(const ComputeEnvironmentDetail&, const std::vector<std::string>&)>&
        check) {
  InTransaction(*pool_, What(name), [&](pqxx::work& txn) {
    // FOR UPDATE waits for queue writers holding the row (their FOREIGN KEY / FOR KEY SHARE
    // locks), so the list of queues read next is complete.
    auto rows =
        txn.exec_params("SELECT detail FROM compute_environments WHERE name = $1 FOR UPDATE", name);
    if (rows.empty()) api::ThrowNotFound(What(name) + " not found");
    ComputeEnvironmentDetail ce;
    FromBytea(rows[0]["detail"], &ce, What(name));
    std::vector<std::string> queues;
    for (const auto& row : txn.exec_params(
             "SELECT queue FROM job_queue_compute_environments WHERE compute_environment = $1 "
             "ORDER BY queue",
             name)) {
      queues.emplace_back(row[0].c_str());
    }
    check(ce, queues);
    try {
      txn.exec_params("DELETE FROM compute_environments WHERE name = $1", name);
    } catch (const pqxx::foreign_key_violation&) {
      api::ThrowFailedPrecondition(What(name) + " is used by a job queue");
    }
  });
}

}  // namespace batchd::store
