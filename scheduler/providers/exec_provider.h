#pragma once
// The exec provider: operator-supplied commands make and remove nodes, as Slurm's
// ResumeProgram and SuspendProgram do, so any cloud CLI or VM manager can be driven. Each
// command runs under /bin/sh with a NodeProvisionRequest as JSON on stdin; createCommand
// prints the node's id on stdout (its first line). A non-zero exit or a timeout is a failure,
// reported with the end of what the command wrote to stderr.
#include <filesystem>
#include <string>

#include "batch/v1/types.pb.h"
#include "providers/node_provider.h"

namespace batchd::providers {

struct ExecProviderOptions {
  std::string create_command;
  std::string delete_command;
  int timeout_seconds = 300;
  std::string compute_environment;    // whose nodes these are
  std::string scheduler_address;      // passed on: where the node's agent is to dial
  std::filesystem::path token_file;   // passed on: a file holding a join token
  std::filesystem::path scratch_dir;  // the commands' stdin, stdout and stderr files
};

class ExecProvider final : public NodeProvider {
 public:
  explicit ExecProvider(ExecProviderOptions options) : options_(std::move(options)) {}

  std::string Create(const NodeRequest& request) override;
  void Delete(const std::string& node_id) override;

 private:
  // Runs `command` with `input` on stdin; returns its stdout. Throws ProviderError.
  std::string Run(const std::string& what, const std::string& command,
                  const batch::v1::NodeProvisionRequest& input) const;

  const ExecProviderOptions options_;
};

}  // namespace batchd::providers
