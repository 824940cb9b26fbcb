#pragma once
// Where a managed compute environment's nodes come from. A provider makes and removes the
// machines that run batch-agent; batchd picks the node id, and the agent on the new machine
// registers under it. Calls block (a cloud API, a VM boot script) and run off the scheduler's
// loop; a failure is reported with a message fit for the environment's statusReason.
#include <stdexcept>
#include <string>

#include "core/autoscale.h"

namespace batchd::providers {

struct NodeRequest {
  std::string node_id;
  std::string compute_environment;
  core::NodeShapeSpec shape;
  bool spot = false;
};

class ProviderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class NodeProvider {
 public:
  virtual ~NodeProvider() = default;
  // Starts the node; returns once the provider accepted it (the agent registers later),
  // with the id the node registers under (normally request.node_id). Throws ProviderError.
  virtual std::string Create(const NodeRequest& request) = 0;
  // Removes the node, whatever it is doing. Throws ProviderError.
  virtual void Delete(const std::string& node_id) = 0;
};

}  // namespace batchd::providers
