// State machines: the resource, its numbered revisions, deletion (at once, or marked DELETING
// while executions run), and the tags of state machines and activities.
#include <pqxx/result>
#include <pqxx/row>

#include "api/api_error.h"
#include "api/states_names.h"
#include "api/text.h"
#include "store/batch_statement.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/transaction.h"
#include "store/workflow_rows.h"
#include "store/workflow_store.h"

namespace batchd::store {
namespace {

using batch::v1::StateMachineStatus;
using batch::v1::StateMachineType;
using internal::EnumFromText;
using internal::EnumText;

constexpr std::string_view kListing = "state-machines";

constexpr char kMachineColumns[] =
    "m.name, m.arn, m.type, m.status, m.description, m.revision, m.tags, m.created_at, "
    "m.updated_at";

// `with_definition`: the row also has the current revision's definition and role_arn.
StateMachineRow FromRow(const pqxx::row& row, bool with_definition) {
  StateMachineRow m;
  m.name = row["name"].c_str();
  m.arn = row["arn"].c_str();
  m.type = EnumFromText<StateMachineType>(row["type"].c_str(), "state machine type");
  m.status = EnumFromText<StateMachineStatus>(row["status"].c_str(), "state machine status");
  m.description = row["description"].c_str();
  m.revision = row["revision"].as<int>();
  m.tags = internal::TagsFromField(row["tags"]);
  m.creation_date = row["created_at"].as<int64_t>();
  m.updated_at = row["updated_at"].as<int64_t>();
  if (with_definition) {
    m.definition = row["definition"].c_str();
    m.role_arn = row["role_arn"].c_str();
  }
  return m;
}

std::string Quoted(const std::string& arn) { return "'" + arn + "'"; }

// The table holding tags for a resource ARN (a fixed name, never text from the caller).
std::pair<std::string, std::string> TaggedRow(const std::string& resource_arn) {
  auto resource = api::ParseStatesArn("resourceArn", resource_arn);
  if (resource.kind == api::kStateMachineKind && !resource.revision) {
    return {"state_machines", resource.name};
  }
  if (resource.kind == api::kActivityKind) return {"activities", resource.name};
  api::ThrowInvalid("resourceArn", "only state machines and activities have tags (got " +
                                       Quoted(resource_arn) + ")");
}

}  // namespace

void internal::PrepareStateMachineStatements(pqxx::connection& conn) {
  const std::string select = std::string("SELECT ") + kMachineColumns +
                             ", r.definition, r.role_arn FROM state_machines m "
                             "JOIN state_machine_revisions r ON r.state_machine = m.name "
                             "AND r.revision = m.revision WHERE m.name = $1";
  conn.prepare("sm_get", select);
  conn.prepare("sm_get_for_update", select + " FOR UPDATE OF m");
  conn.prepare("sm_insert",
               "INSERT INTO state_machines (name, arn, type, status, description, revision, "
               "tags, created_at, updated_at) VALUES ($1, $2, $3, 'ACTIVE', $4, 1, $5, $6, $6) "
               "ON CONFLICT (name) DO NOTHING");
  conn.prepare("sm_put",
               "UPDATE state_machines SET revision = $2, description = $3, tags = $4, "
               "updated_at = $5 WHERE name = $1");
  conn.prepare("sm_revision_insert",
               "INSERT INTO state_machine_revisions (state_machine, revision, definition, "
               "role_arn, created_at) VALUES ($1, $2, $3, $4, $5)");
  conn.prepare("sm_revision_get",
               "SELECT revision, definition, role_arn, created_at FROM state_machine_revisions "
               "WHERE state_machine = $1 AND revision = $2");
  conn.prepare("sm_page", std::string("SELECT ") + kMachineColumns +
                              " FROM state_machines m WHERE m.name > $1 ORDER BY m.name LIMIT $2");
  conn.prepare("sm_lock", "SELECT status FROM state_machines WHERE name = $1 FOR UPDATE");
  conn.prepare("sm_has_running",
               "SELECT EXISTS (SELECT 1 FROM executions WHERE state_machine = $1 "
               "AND status = 'RUNNING')");
  conn.prepare("sm_mark_deleting",
               "UPDATE state_machines SET status = 'DELETING', updated_at = $2 WHERE name = $1");
}

void internal::PurgeStateMachines(pqxx::transaction_base& txn,
                                  const std::vector<std::string>& names) {
  if (names.empty()) return;
  const std::string list = ArrayLiteral(names);
  ExecBatch(txn,
            "DELETE FROM execution_events WHERE execution_id IN "
            "(SELECT id FROM executions WHERE state_machine = ANY($1::text[]))",
            list);
  ExecBatch(txn,
            "DELETE FROM tasks WHERE execution_arn IN "
            "(SELECT arn FROM executions WHERE state_machine = ANY($1::text[]))",
            list);
  ExecBatch(txn, "DELETE FROM executions WHERE state_machine = ANY($1::text[])", list);
  // Its revisions go by their foreign key.
  ExecBatch(txn, "DELETE FROM state_machines WHERE name = ANY($1::text[])", list);
}

StateMachineRow WorkflowStore::CreateStateMachine(const StateMachineRow& input) {
  StateMachineRow row = input;
  if (row.arn.empty()) row.arn = api::StateMachineArn(row.name);
  if (row.creation_date == 0) row.creation_date = api::EpochMillisNow();
  row.updated_at = row.creation_date;
  row.revision = 1;
  row.status = StateMachineStatus::ACTIVE;
  return internal::InTransaction(pool_, "state machine " + Quoted(row.arn), [&](pqxx::work& txn) {
    auto inserted =
        txn.exec_prepared("sm_insert", row.name, row.arn, EnumText<StateMachineType>(row.type),
                          row.description, internal::TagsBytea(row.tags), row.creation_date);
    if (inserted.affected_rows() == 1) {
      txn.exec_prepared("sm_revision_insert", row.name, 1, row.definition, row.role_arn,
                        row.creation_date);
      return row;
    }
    auto stored = txn.exec_prepared("sm_get", row.name);
    if (stored.empty()) throw internal::LostRace{};  // deleted since the insert ran
    StateMachineRow existing = FromRow(stored[0], true);
    if (existing.status == StateMachineStatus::DELETING) {
      api::ThrowFailedPrecondition("State Machine is being deleted: " + Quoted(row.arn));
    }
    if (existing.definition != row.definition || existing.role_arn != row.role_arn) {
      api::ThrowAlreadyExists("State Machine Already Exists: " + Quoted(row.arn));
    }
    return existing;
  });
}

StateMachineRow WorkflowStore::UpdateStateMachine(
    const std::string& name, const std::function<void(StateMachineRow&)>& mutate) {
  const std::string what = "state machine " + Quoted(api::StateMachineArn(name));
  return internal::InTransaction(pool_, what, [&](pqxx::work& txn) {
    auto rows = txn.exec_prepared("sm_get_for_update", name);
    if (rows.empty()) api::ThrowNotFound("State Machine Does Not Exist: " + what);
    const StateMachineRow before = FromRow(rows[0], true);
    StateMachineRow row = before;
    mutate(row);
    if (row.name != before.name) api::ThrowInvalid("name", "cannot be changed");
    if (row.type != before.type) api::ThrowInvalid("type", "cannot be changed");
    row.arn = before.arn;
    row.status = before.status;
    row.creation_date = before.creation_date;
    row.revision = before.revision;
    row.updated_at = api::EpochMillisNow();
    if (row.definition != before.definition || row.role_arn != before.role_arn) {
      row.revision = before.revision + 1;
      txn.exec_prepared("sm_revision_insert", name, row.revision, row.definition, row.role_arn,
                        row.updated_at);
    }
    txn.exec_prepared("sm_put", name, row.revision, row.description, internal::TagsBytea(row.tags),
                      row.updated_at);
    return row;
  });
}

std::optional<StateMachineRow> WorkflowStore::GetStateMachine(const std::string& name) {
  return internal::InTransaction<pqxx::nontransaction>(
      pool_, "state machine", [&](auto& txn) -> std::optional<StateMachineRow> {
        auto rows = txn.exec_prepared("sm_get", name);
        if (rows.empty()) return std::nullopt;
        return FromRow(rows[0], true);
      });
}

std::optional<StateMachineRevision> WorkflowStore::GetStateMachineRevision(const std::string& name,
                                                                           int revision) {
  return internal::InTransaction<pqxx::nontransaction>(
      pool_, "state machine revision", [&](auto& txn) -> std::optional<StateMachineRevision> {
        auto rows = txn.exec_prepared("sm_revision_get", name, revision);
        if (rows.empty()) return std::nullopt;
        return StateMachineRevision{rows[0]["revision"].template as<int>(),
                                    rows[0]["definition"].c_str(), rows[0]["role_arn"].c_str(),
                                    rows[0]["created_at"].template as<int64_t>()};
      });
}

Page<StateMachineRow> WorkflowStore::ListStateMachines(int max_results,
                                                       const std::string& next_token) {
  std::string after;
  if (!next_token.empty()) after = internal::DecodePageToken(kListing, next_token, 1)[0];
  const int limit = internal::PageSize(max_results);
  return internal::InTransaction<pqxx::nontransaction>(pool_, "state machines", [&](auto& txn) {
    Page<StateMachineRow> page;
    for (const auto& row : txn.exec_prepared("sm_page", after, limit + 1)) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_token = internal::EncodePageToken(kListing, {page.items.back().name});
        break;
      }
      page.items.push_back(FromRow(row, false));
    }
    return page;
  });
}

DeleteOutcome WorkflowStore::DeleteStateMachine(const std::string& name) {
  const std::string what = "state machine " + Quoted(api::StateMachineArn(name));
  return internal::InTransaction(pool_, what, [&](pqxx::work& txn) {
    // Locked first: an execution being inserted holds it FOR SHARE, so it is either counted
    // below or finds the machine DELETING; CommitTurn locks it too before ending the last one.
    auto rows = txn.exec_prepared("sm_lock", name);
    if (rows.empty()) return DeleteOutcome::kNotFound;
    if (txn.exec_prepared("sm_has_running", name)[0][0].as<bool>()) {
      txn.exec_prepared("sm_mark_deleting", name, api::EpochMillisNow());
      return DeleteOutcome::kDeleting;
    }
    internal::PurgeStateMachines(txn, {name});
    return DeleteOutcome::kDeleted;
  });
}

Tags WorkflowStore::ListTags(const std::string& resource_arn) {
  const auto [table, name] = TaggedRow(resource_arn);
  return internal::InTransaction<pqxx::nontransaction>(pool_, "tags", [&](auto& txn) {
    auto rows = txn.exec_params("SELECT tags FROM " + table + " WHERE name = $1", name);
    if (rows.empty()) api::ThrowNotFound("Resource not found: " + Quoted(resource_arn));
    return internal::TagsFromField(rows[0][0]);
  });
}

void WorkflowStore::TagResource(const std::string& resource_arn, const Tags& tags,
                                size_t max_tags) {
  const auto [table, name] = TaggedRow(resource_arn);
  internal::InTransaction(pool_, "tags", [&](pqxx::work& txn) {
    auto rows = txn.exec_params("SELECT tags FROM " + table + " WHERE name = $1 FOR UPDATE", name);
    if (rows.empty()) api::ThrowNotFound("Resource not found: " + Quoted(resource_arn));
    Tags merged = internal::TagsFromField(rows[0][0]);
    for (const auto& [key, value] : tags) merged[key] = value;
    if (merged.size() > max_tags) {
      api::ThrowInvalid("tags", "a resource has at most " + std::to_string(max_tags) +
                                    " tags; this would give it " + std::to_string(merged.size()));
    }
    txn.exec_params("UPDATE " + table + " SET tags = $2 WHERE name = $1", name,
                    internal::TagsBytea(merged));
  });
}

void WorkflowStore::UntagResource(const std::string& resource_arn,
                                  const std::vector<std::string>& keys) {
  const auto [table, name] = TaggedRow(resource_arn);
  internal::InTransaction(pool_, "tags", [&](pqxx::work& txn) {
    auto rows = txn.exec_params("SELECT tags FROM " + table + " WHERE name = $1 FOR UPDATE", name);
    if (rows.empty()) api::ThrowNotFound("Resource not found: " + Quoted(resource_arn));
    Tags kept = internal::TagsFromField(rows[0][0]);
    for (const auto& key : keys) kept.erase(key);
    txn.exec_params("UPDATE " + table + " SET tags = $2 WHERE name = $1", name,
                    internal::TagsBytea(kept));
  });
}

}  // namespace batchd::store
