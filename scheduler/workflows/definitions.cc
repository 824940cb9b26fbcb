#include "workflows/definitions.h"

#include "api/api_error.h"

namespace batchd::workflows {

std::shared_ptr<const Definition> Definitions::Get(const std::string& state_machine, int revision) {
  auto key = std::make_pair(state_machine, revision);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  auto stored = store_.GetStateMachineRevision(state_machine, revision);
  if (!stored) {
    api::ThrowNotFound("state machine " + state_machine + " revision " + std::to_string(revision));
  }
  asl::ParsedDefinition parsed = asl::ParseDefinition(stored->definition);
  if (!parsed.machine) {
    throw api::ApiError(
        api::ErrorCode::kInternal,
        "stored definition of " + state_machine + " revision " + std::to_string(revision) +
            " does not parse: " +
            (parsed.diagnostics.empty() ? "" : asl::Describe(parsed.diagnostics[0])));
  }
  auto def = std::make_shared<Definition>();
  def->text = stored->definition;
  def->machine = parsed.machine;
  def->interpreter = std::make_unique<asl::Interpreter>(parsed.machine, clock_, random_);
  cache_.emplace(key, def);
  return def;
}

std::shared_ptr<const Definition> Definitions::Get(const std::string& state_machine, int revision,
                                                   const std::string& processor) {
  if (processor.empty()) return Get(state_machine, revision);
  auto key = std::make_tuple(state_machine, revision, processor);
  if (auto it = processors_.find(key); it != processors_.end()) return it->second;
  auto whole = Get(state_machine, revision);
  auto machine = asl::FindProcessor(whole->machine, processor);
  if (!machine) {
    throw api::ApiError(api::ErrorCode::kInternal, "state machine " + state_machine + " revision " +
                                                       std::to_string(revision) +
                                                       " has no Map state at " + processor);
  }
  auto def = std::make_shared<Definition>();
  def->text = whole->text;
  def->machine = machine;
  def->interpreter = std::make_unique<asl::Interpreter>(machine, clock_, random_);
  processors_.emplace(key, def);
  return def;
}

}  // namespace batchd::workflows
