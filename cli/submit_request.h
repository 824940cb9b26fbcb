#pragma once
// `batchctl submit`'s flags turned into a SubmitJobRequest; pure, so it is unit-tested.
#include <string>
#include <vector>

#include "batch/v1/batch_service.pb.h"

namespace batchd::cli {

struct SubmitOptions {
  std::string queue;
  std::string definition;               // NAME, NAME:REV or an ARN
  std::string name;                     // empty: the definition's name
  std::vector<std::string> env;         // KEY=VALUE
  std::vector<std::string> params;      // KEY=VALUE
  std::vector<std::string> depends_on;  // see ParseDependency
  std::string vcpus;                    // empty: the definition's
  int memory_mib = 0;                   // 0: the definition's
  int timeout_seconds = 0;
  int attempts = 0;
  int array_size = 0;
  std::string client_token;
  std::vector<std::string> command;  // after "--"; empty: the definition's
};

// Throws CliError (usage) naming the flag for malformed values; the server checks the rest.
batch::v1::SubmitJobRequest BuildSubmitRequest(const SubmitOptions& opts);

}  // namespace batchd::cli
