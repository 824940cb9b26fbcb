#include "service/definition_cache.h"

#include "api/api_error.h"
#include "api/names.h"

namespace batchd::service {

using batch::v1::JobDefinition;

JobDefinition DefinitionCache::Get(const std::string& field, const std::string& ref_text) {
  uint64_t generation;
  {
    std::lock_guard lock(mu_);
    auto it = definitions_.find(ref_text);
    if (it != definitions_.end()) return it->second;
    generation = generation_;
  }
  const auto ref = api::ParseDefinitionRef(field, ref_text);
  auto def = store_.GetJobDefinition(ref.name, ref.revision);
  if (!def) {
    api::ThrowNotFound(ref.revision ? "job definition \"" + ref.name + ":" +
                                          std::to_string(*ref.revision) + "\" not found"
                                    : "job definition \"" + ref.name + "\" has no ACTIVE revision");
  }
  if (def->status() != "ACTIVE") {
    api::ThrowFailedPrecondition("job definition \"" + ref.name + ":" +
                                 std::to_string(def->revision()) +
                                 "\" is INACTIVE (deregistered): submit with an ACTIVE revision");
  }
  std::lock_guard lock(mu_);
  if (generation == generation_) definitions_.emplace(ref_text, *def);
  return std::move(*def);
}

void DefinitionCache::Clear() {
  std::lock_guard lock(mu_);
  definitions_.clear();
  ++generation_;
}

}  // namespace batchd::service
