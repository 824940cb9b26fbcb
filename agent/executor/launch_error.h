#pragma once
#include <stdexcept>
#include <string>

namespace batchd::agent {

// Why an attempt could not start. `infrastructure` marks failures of this machine or agent
// (not of the job's definition), which batchd retries without using up the job's attempts.
class LaunchError : public std::runtime_error {
 public:
  explicit LaunchError(const std::string& reason, bool infrastructure = false)
      : std::runtime_error(reason), infrastructure_(infrastructure) {}
  bool infrastructure() const { return infrastructure_; }

 private:
  bool infrastructure_;
};

// AWS Batch's prefix for a job whose container (here: process) could not be started.
inline std::string CannotStart(const std::string& detail) {
  return "CannotStartContainerError: " + detail;
}

}  // namespace batchd::agent
