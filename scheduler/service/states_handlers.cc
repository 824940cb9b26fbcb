// State machines (create, update, describe, list, delete, validate) and the tags of state
// machines and activities. Executions are in states_handlers_executions.cc, activities and
// task tokens in states_handlers_activities.cc.
#include "service/states_handlers.h"

#include "api/api_error.h"
#include "api/states_names.h"
#include "core/asl/definition.h"
#include "service/states_checks.h"

namespace batchd::service {
namespace {

using batch::v1::StateMachineStatus;
using batch::v1::StateMachineType;
using states::Seconds;

constexpr size_t kMaxDescriptionChars = 256;
constexpr size_t kMaxRoleArnChars = 256;
// ValidateStateMachineDefinition's maxResults: 0 means this, and more is refused (AWS's).
constexpr int kMaxDiagnostics = 100;

[[noreturn]] void ThrowNoStateMachine(const std::string& name) {
  states::Throw(api::ErrorCode::kNotFound, "StateMachineDoesNotExist",
                "state machine " + api::StateMachineArn(name) + " does not exist");
}

[[noreturn]] void ThrowDeleting(const std::string& name) {
  states::Throw(api::ErrorCode::kFailedPrecondition, "StateMachineDeleting",
                "state machine " + api::StateMachineArn(name) + " is being deleted");
}

// AWS's type: unset means STANDARD, the only kind batchd runs (an EXPRESS machine's point is
// to skip the durable history batchd always keeps).
StateMachineType::Value CheckType(StateMachineType::Value type) {
  switch (type) {
    case StateMachineType::STATE_MACHINE_TYPE_UNSPECIFIED:
    case StateMachineType::STANDARD:
      return StateMachineType::STANDARD;
    case StateMachineType::EXPRESS:
      states::Throw(api::ErrorCode::kInvalidArgument, "StateMachineTypeNotSupported",
                    "type: batchd runs STANDARD state machines; EXPRESS is not supported");
    case batch::v1::StateMachineType_Value_StateMachineType_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::StateMachineType_Value_StateMachineType_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;
  }
  api::ThrowInvalid("type", "must be STANDARD");
}

void CheckRoleArn(const std::string& role_arn) {
  // batchd has no IAM: the role is kept for the context object ($$.Execution.RoleArn) and for
  // definitions moved from AWS, and checked only for size.
  if (role_arn.size() > kMaxRoleArnChars) {
    states::Throw(api::ErrorCode::kInvalidArgument, "InvalidArn",
                  "roleArn: at most " + std::to_string(kMaxRoleArnChars) + " characters");
  }
}

void CheckDescription(const std::string& description) {
  if (description.size() > kMaxDescriptionChars) {
    api::ThrowInvalid("description",
                      "at most " + std::to_string(kMaxDescriptionChars) + " characters");
  }
}

batch::v1::ValidationSeverity::Value SeverityOf(const std::string& severity) {
  return severity == "WARNING" ? batch::v1::ValidationSeverity::WARNING
                               : batch::v1::ValidationSeverity::ERROR;
}

}  // namespace

StatesHandlers::StatesHandlers(store::WorkflowStore& store, WorkflowHooks* hooks,
                               const core::Clock& clock)
    : store_(store), hooks_(hooks), clock_(clock) {}

WorkflowHooks& StatesHandlers::Hooks() const {
  if (hooks_ == nullptr) {
    throw api::ApiError(api::ErrorCode::kUnavailable, "workflow executions are not running");
  }
  return *hooks_;
}

batch::v1::CreateStateMachineResponse StatesHandlers::CreateStateMachine(
    const batch::v1::CreateStateMachineRequest& req) {
  states::CheckName("name", req.name());
  store::StateMachineRow row;
  row.name = req.name();
  row.type = CheckType(req.type());
  states::CheckDefinition(req.definition());
  row.definition = req.definition();
  CheckRoleArn(req.role_arn());
  row.role_arn = req.role_arn();
  CheckDescription(req.description());
  row.description = req.description();
  row.tags = states::TagsOf(req.tags());
  row.creation_date = clock_.NowMillis();

  const std::string arn = api::StateMachineArn(row.name);
  store::StateMachineRow stored;
  try {
    stored = store_.CreateStateMachine(row);
  } catch (const api::ApiError& e) {
    switch (e.code()) {
      case api::ErrorCode::kAlreadyExists:
        states::Throw(e.code(), "StateMachineAlreadyExists",
                      "state machine " + arn + " exists with another definition or role");
      case api::ErrorCode::kFailedPrecondition:
        ThrowDeleting(row.name);
      case api::ErrorCode::kInvalidArgument:
      case api::ErrorCode::kNotFound:
      case api::ErrorCode::kAborted:
      case api::ErrorCode::kUnavailable:
      case api::ErrorCode::kUnauthenticated:
      case api::ErrorCode::kResourceExhausted:
      case api::ErrorCode::kInternal:
        break;
    }
    throw;
  }
  batch::v1::CreateStateMachineResponse resp;
  resp.set_state_machine_arn(stored.arn);
  resp.set_creation_date(Seconds(stored.creation_date));
  resp.set_revision(stored.revision);
  return resp;
}

batch::v1::UpdateStateMachineResponse StatesHandlers::UpdateStateMachine(
    const batch::v1::UpdateStateMachineRequest& req) {
  const api::StateMachineRef ref =
      states::StateMachineRefOf("stateMachineArn", req.state_machine_arn());
  if (ref.revision) {
    api::ThrowInvalid("stateMachineArn",
                      "names revision " + std::to_string(*ref.revision) +
                          "; revisions are read-only: update the state machine itself");
  }
  if (req.definition().empty() && req.role_arn().empty() && !req.has_description()) {
    states::Throw(api::ErrorCode::kInvalidArgument, "MissingRequiredParameter",
                  "give a definition, a roleArn or a description to change");
  }
  if (!req.definition().empty()) states::CheckDefinition(req.definition());
  CheckRoleArn(req.role_arn());
  if (req.has_description()) CheckDescription(req.description());

  const store::StateMachineRow row = states::Replacing(
      api::ErrorCode::kNotFound,
      "StateMachineDoesNotExist: state machine " + api::StateMachineArn(ref.name) +
          " does not exist",
      [&] {
        return store_.UpdateStateMachine(ref.name, [&](store::StateMachineRow& m) {
          if (m.status == StateMachineStatus::DELETING) ThrowDeleting(ref.name);
          if (!req.definition().empty()) m.definition = req.definition();
          if (!req.role_arn().empty()) m.role_arn = req.role_arn();
          if (req.has_description()) m.description = req.description();
        });
      });
  batch::v1::UpdateStateMachineResponse resp;
  resp.set_update_date(Seconds(row.updated_at));
  resp.set_revision_id(std::to_string(row.revision));
  resp.set_revision(row.revision);
  return resp;
}

batch::v1::DescribeStateMachineResponse StatesHandlers::DescribeStateMachine(
    const batch::v1::DescribeStateMachineRequest& req) {
  const api::StateMachineRef ref =
      states::StateMachineRefOf("stateMachineArn", req.state_machine_arn());
  auto row = store_.GetStateMachine(ref.name);
  if (!row) ThrowNoStateMachine(ref.name);
  batch::v1::DescribeStateMachineResponse resp;
  resp.set_state_machine_arn(row->arn);
  resp.set_name(row->name);
  resp.set_status(row->status);
  resp.set_type(row->type);
  resp.set_creation_date(Seconds(row->creation_date));
  resp.set_description(row->description);
  *resp.mutable_logging_configuration() = states::LoggingOff();
  resp.set_revisions(row->revision);
  int revision = row->revision;
  std::string definition = row->definition;
  std::string role_arn = row->role_arn;
  if (ref.revision && *ref.revision != row->revision) {
    auto old = store_.GetStateMachineRevision(ref.name, *ref.revision);
    if (!old) {
      states::Throw(api::ErrorCode::kNotFound, "StateMachineDoesNotExist",
                    "state machine " + row->arn + " has no revision " +
                        std::to_string(*ref.revision) + " (it has 1 to " +
                        std::to_string(row->revision) + ")");
    }
    revision = old->revision;
    definition = std::move(old->definition);
    role_arn = std::move(old->role_arn);
  }
  resp.set_definition(definition);
  resp.set_role_arn(role_arn);
  resp.set_revision(revision);
  resp.set_revision_id(std::to_string(revision));
  return resp;
}

batch::v1::ListStateMachinesResponse StatesHandlers::ListStateMachines(
    const batch::v1::ListStateMachinesRequest& req) {
  states::CheckMaxResults(req.max_results());
  auto page = states::WithAwsCode("InvalidToken", [&] {
    return store_.ListStateMachines(req.max_results(), req.next_token());
  });
  batch::v1::ListStateMachinesResponse resp;
  for (const store::StateMachineRow& row : page.items) {
    batch::v1::StateMachineListItem* item = resp.add_state_machines();
    item->set_state_machine_arn(row.arn);
    item->set_name(row.name);
    item->set_type(row.type);
    item->set_creation_date(Seconds(row.creation_date));
    item->set_revision(row.revision);
  }
  resp.set_next_token(page.next_token);
  return resp;
}

batch::v1::DeleteStateMachineResponse StatesHandlers::DeleteStateMachine(
    const batch::v1::DeleteStateMachineRequest& req) {
  const api::StateMachineRef ref =
      states::StateMachineRefOf("stateMachineArn", req.state_machine_arn());
  if (ref.revision) {
    api::ThrowInvalid("stateMachineArn", "names revision " + std::to_string(*ref.revision) +
                                             "; a revision goes only with its state machine");
  }
  // AWS answers success for a state machine that does not exist (recorded), and deletes one
  // with running executions once they end (DELETING meanwhile): the outcome changes nothing
  // in the answer.
  (void)store_.DeleteStateMachine(ref.name);
  return {};
}

batch::v1::ValidateStateMachineDefinitionResponse StatesHandlers::ValidateStateMachineDefinition(
    const batch::v1::ValidateStateMachineDefinitionRequest& req) {
  states::CheckMaxResults(req.max_results(), kMaxDiagnostics);
  const size_t limit = req.max_results() == 0 ? kMaxDiagnostics : req.max_results();
  // AWS's default severity is ERROR: warnings only when asked for.
  const bool with_warnings = req.severity() == batch::v1::ValidationSeverity::WARNING;

  asl::Diagnostics diagnostics;
  if (req.definition().size() > kMaxDefinitionBytes) {
    diagnostics.push_back({"SCHEMA_VALIDATION_FAILED",
                           "the definition is " + std::to_string(req.definition().size()) +
                               " bytes; at most " + std::to_string(kMaxDefinitionBytes) +
                               " are allowed",
                           "", "ERROR"});
  } else {
    diagnostics = asl::ParseDefinition(req.definition()).diagnostics;
  }
  if (req.type() == batch::v1::StateMachineType::EXPRESS) {
    diagnostics.push_back({"SCHEMA_VALIDATION_FAILED",
                           "batchd runs STANDARD state machines; EXPRESS is not supported", "",
                           "ERROR"});
  }

  batch::v1::ValidateStateMachineDefinitionResponse resp;
  resp.set_result(batch::v1::ValidationResultCode::OK);
  for (const asl::Diagnostic& d : diagnostics) {
    const auto severity = SeverityOf(d.severity);
    if (severity == batch::v1::ValidationSeverity::ERROR) {
      resp.set_result(batch::v1::ValidationResultCode::FAIL);
    } else if (!with_warnings) {
      continue;
    }
    if (static_cast<size_t>(resp.diagnostics_size()) == limit) {
      resp.set_truncated(true);
      continue;  // the result still counts every error
    }
    auto* out = resp.add_diagnostics();
    out->set_severity(severity);
    out->set_code(d.code);
    out->set_message(d.message);
    out->set_location(d.location);
  }
  return resp;
}

batch::v1::TagResourceResponse StatesHandlers::TagResource(
    const batch::v1::TagResourceRequest& req) {
  const std::string& arn = req.resource_arn();
  (void)states::WithAwsCode("InvalidArn", [&] { return api::ParseStatesArn("resourceArn", arn); });
  const store::Tags tags = states::TagsOf(req.tags());
  states::Replacing(
      api::ErrorCode::kNotFound, "ResourceNotFound: resource " + arn + " does not exist", [&] {
        // Past the checks above, the store refuses only a total over the limit.
        states::WithAwsCode("TooManyTags",
                            [&] { store_.TagResource(arn, tags, kMaxTagsPerResource); });
      });
  return {};
}

batch::v1::UntagResourceResponse StatesHandlers::UntagResource(
    const batch::v1::UntagResourceRequest& req) {
  const std::string& arn = req.resource_arn();
  (void)states::WithAwsCode("InvalidArn", [&] { return api::ParseStatesArn("resourceArn", arn); });
  const std::vector<std::string> keys(req.tag_keys().begin(), req.tag_keys().end());
  states::Replacing(api::ErrorCode::kNotFound,
                    "ResourceNotFound: resource " + arn + " does not exist",
                    [&] { store_.UntagResource(arn, keys); });
  return {};
}

batch::v1::ListTagsForResourceResponse StatesHandlers::ListTagsForResource(
    const batch::v1::ListTagsForResourceRequest& req) {
  const std::string& arn = req.resource_arn();
  (void)states::WithAwsCode("InvalidArn", [&] { return api::ParseStatesArn("resourceArn", arn); });
  const store::Tags tags = states::Replacing(
      api::ErrorCode::kNotFound, "ResourceNotFound: resource " + arn + " does not exist",
      [&] { return store_.ListTags(arn); });
  batch::v1::ListTagsForResourceResponse resp;
  states::AddTags(tags, resp.mutable_tags());
  return resp;
}

}  // namespace batchd::service
