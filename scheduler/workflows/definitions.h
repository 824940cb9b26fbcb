#pragma once
// Parsed definitions of state machine revisions, each parsed once: executions of one revision
// share its interpreter.
#include <map>
#include <memory>
#include <string>
#include <tuple>
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
  // The ItemProcessor of the Map state at `processor` (a state's location) in that revision,
  // which iterations of a DISTRIBUTED Map run; the whole machine when `processor` is "".
  std::shared_ptr<const Definition> Get(const std::string& state_machine, int revision,
                                        const std::string& processor);

 private:
  store::WorkflowStore& store_;
  const core::Clock& clock_;
  asl::SystemRandom random_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const Definition>> cache_;
  std::map<std::tuple<std::string, int, std::string>, std::shared_ptr<const Definition>>
      processors_;
};

}  // namespace batchd::workflows
