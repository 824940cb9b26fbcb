// Job definitions: immutable revisions; only `status` changes, so it lives in its column and
// is laid over the stored message on every read.
#include "api/api_error.h"
#include "api/names.h"
#include "api/text.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::JobDefinition;
using internal::InTransaction;

constexpr std::string_view kListing = "job-definitions";
// pg_advisory_xact_lock(classid, hashtext(name)): serialises revision numbering per name.
constexpr int kLockClassDefinitions = 0x62617401;

std::string What(const std::string& name) { return "job definition \"" + name + "\""; }

JobDefinition FromRow(const pqxx::row& row) {
  JobDefinition def;
  internal::FromBytea(row["detail"], &def, What(row["name"].c_str()));
  def.set_status(row["status"].c_str());
  return def;
}

}  // namespace

JobDefinition Store::RegisterJobDefinition(const JobDefinition& input) {
  const std::string& name = input.job_definition_name();
  return InTransaction(*pool_, What(name), [&](pqxx::work& txn) {
    txn.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kLockClassDefinitions, name);
    const int revision = txn.exec_params1(
                                "SELECT coalesce(max(revision), 0) + 1 FROM job_definitions "
                                "WHERE name = $1",
                                name)[0]
                             .as<int>();
    JobDefinition def = input;
    def.set_revision(revision);
    def.set_job_definition_arn(api::JobDefinitionArn(name, revision));
    def.set_status("ACTIVE");
    if (def.created_at() == 0) def.set_created_at(api::EpochMillisNow());
    txn.exec_params(
        "INSERT INTO job_definitions (name, revision, status, detail, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        name, revision, def.status(), internal::ToBytea(def), def.created_at());
    return def;
  });
}

std::optional<JobDefinition> Store::GetJobDefinition(const std::string& name,
                                                     std::optional<int> revision) {
  return InTransaction(*pool_, What(name), [&](pqxx::work& txn) -> std::optional<JobDefinition> {
    pqxx::result rows =
        revision ? txn.exec_params(
                       "SELECT name, status, detail FROM job_definitions "
                       "WHERE name = $1 AND revision = $2",
                       name, *revision)
                 : txn.exec_params(
                       "SELECT name, status, detail FROM job_definitions "
                       "WHERE name = $1 AND status = 'ACTIVE' ORDER BY revision DESC LIMIT 1",
                       name);
    if (rows.empty()) return std::nullopt;
    return FromRow(rows[0]);
  });
}

Page<JobDefinition> Store::DescribeJobDefinitions(const DefinitionQuery& query) {
  const int limit = internal::PageSize(query.max_results);
  std::string after_name;
  int64_t after_revision = 0;
  if (!query.next_token.empty()) {
    auto key = internal::DecodePageToken(kListing, query.next_token, 2);
    after_name = key[0];
    after_revision = internal::PageTokenInt(key[1]);
  }
  // A ref without a revision selects every revision of the name.
  std::vector<std::string> any_revision;
  std::vector<std::string> ref_names;
  std::vector<std::string> ref_revisions;
  for (const auto& [name, revision] : query.refs) {
    if (revision) {
      ref_names.push_back(name);
      ref_revisions.push_back(std::to_string(*revision));
    } else {
      any_revision.push_back(name);
    }
  }
  return InTransaction(*pool_, "job definitions", [&](pqxx::work& txn) {
    auto rows = txn.exec_params(
        "SELECT name, revision, status, detail FROM job_definitions "
        "WHERE ($1::boolean OR name = ANY($2::text[]) OR (name, revision) IN "
        "       (SELECT * FROM unnest($3::text[], $4::int[]))) "
        "  AND ($5 = '' OR name = $5) AND ($6 = '' OR status = $6) "
        "  AND (name, revision) > ($7, $8::int) "
        "ORDER BY name, revision LIMIT $9",
        query.refs.empty(), internal::ArrayLiteral(any_revision), internal::ArrayLiteral(ref_names),
        internal::ArrayLiteral(ref_revisions), query.name, query.status, after_name, after_revision,
        limit + 1);
    Page<JobDefinition> page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.items.size()) == limit) {
        const auto& last = page.items.back();
        page.next_token = internal::EncodePageToken(
            kListing, {last.job_definition_name(), std::to_string(last.revision())});
        break;
      }
      page.items.push_back(FromRow(row));
    }
    return page;
  });
}

void Store::DeregisterJobDefinition(const std::string& name, int revision) {
  const std::string what = What(name + ":" + std::to_string(revision));
  InTransaction(*pool_, what, [&](pqxx::work& txn) {
    auto result = txn.exec_params(
        "UPDATE job_definitions SET status = 'INACTIVE' WHERE name = $1 AND revision = $2", name,
        revision);
    if (result.affected_rows() == 0) api::ThrowNotFound(what + " not found");
  });
}

}  // namespace batchd::store
