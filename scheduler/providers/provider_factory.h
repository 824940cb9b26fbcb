#pragma once
// Which provider serves a managed compute environment: the one local provider of this batchd,
// or an exec provider made from the environment's own commands.
#include <functional>
#include <memory>

#include "batch/v1/types.pb.h"
#include "providers/local_provider.h"
#include "providers/node_provider.h"

namespace batchd::providers {

// Null for a provider type batchd does not know (validation refuses those before).
using ProviderFor =
    std::function<std::shared_ptr<NodeProvider>(const batch::v1::ComputeEnvironmentDetail&)>;

// `local` serves every local environment; exec providers are made per call (they keep no
// state) and run their commands with scratch files under `scratch_dir`.
ProviderFor MakeProviderFactory(std::shared_ptr<LocalProvider> local,
                                const LocalProviderOptions& settings,
                                const std::filesystem::path& scratch_dir);

}  // namespace batchd::providers
