#pragma once
// Parsed definitions of state machine revisions, each parsed once: executions of one revision
// share its interpreter.
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "core/asl/definition.h"
#include "core/asl/interpreter.h"
#include "core/asl/random.h"
#include "core/clock.h"
#include "store/workflow_store.h"

namespace batchd::workflows {

struct Definition {
  std::string text;
  std::shared_ptr<const asl::Machine> machine;
  std::unique_ptr<asl::Interpreter> interpreter;
};

class Definitions {
 public:
  Definitions(store::WorkflowStore& store, const core::Clock& clock)
      : store_(store), clock_(clock) {}
  // NOT_FOUND when the revision is gone; INTERNAL when a stored definition does not parse
  // (it was checked when stored).
  std::shared_ptr<const Definition> Get(const std::string& state_machine, int revision);

 private:
  store::WorkflowStore& store_;
  const core::Clock& clock_;
  asl::SystemRandom random_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const Definition>> cache_;
};

}  // namespace batchd::workflows
