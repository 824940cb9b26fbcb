#pragma once
// One real batchd (embedded PostgreSQL) for the whole binary; each test runs the real batchctl
// against it and uses its own resource names, so tests do not see each other's work.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/batchd_process.h"
#include "support/temp_dir.h"

namespace batchd::testing {

class BatchctlTest : public ::testing::Test {
 protected:
  // Starts the shared batchd on first use; the suites below all reuse it.
  static void SetUpTestSuite();

 public:
  static void StopShared();  // at the end of the binary

 protected:
  // batchctl --server <our batchd> ARGS...
  static CommandResult Ctl(const std::vector<std::string>& args,
                           const std::string& stdin_text = "");
  // Writes `text` to a file in the shared temp dir; returns its path.
  static std::string WriteFile(const std::string& name, const std::string& text);
  // An UNMANAGED environment (no agents ever join it, so jobs stay RUNNABLE) and a queue on it.
  static void MakeQueue(const std::string& queue);
  // A job definition that echoes; returns nothing, asserts success.
  static void MakeDefinition(const std::string& name);
  // Submits to `queue`; returns the job id printed by batchctl.
  static std::string Submit(const std::string& queue, const std::string& definition,
                            const std::vector<std::string>& extra = {});

  static std::unique_ptr<TempDir> dir_;
  static std::unique_ptr<BatchdProcess> batchd_;
};

// For failure messages: everything batchctl said.
std::string Describe(const CommandResult& r);

}  // namespace batchd::testing
