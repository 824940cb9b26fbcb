#include "providers/provider_factory.h"

#include "providers/exec_provider.h"

namespace batchd::providers {

ProviderFor MakeProviderFactory(std::shared_ptr<LocalProvider> local,
                                const LocalProviderOptions& settings,
                                const std::filesystem::path& scratch_dir) {
  return [local = std::move(local), settings, scratch_dir](
             const batch::v1::ComputeEnvironmentDetail& ce) -> std::shared_ptr<NodeProvider> {
    const auto& p = ce.compute_resources().provider();
    if (p.type().empty() || p.type() == "local") return local;
    if (p.type() != "exec") return nullptr;
    return std::make_shared<ExecProvider>(ExecProviderOptions{
        .create_command = p.create_command(),
        .delete_command = p.delete_command(),
        .timeout_seconds = p.command_timeout_seconds(),
        .compute_environment = ce.compute_environment_name(),
        .scheduler_address = settings.scheduler_address,
        .token_file = settings.token_file,
        .scratch_dir = scratch_dir,
    });
  };
}

}  // namespace batchd::providers
