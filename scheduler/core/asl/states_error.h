#pragma once
// A run-time failure inside an execution, named as AWS names them. States throw it; the
// interpreter turns it into retry, catch or the execution's failure.
#include <stdexcept>
#include <string>

namespace batchd::asl {

namespace errors {
inline constexpr const char* kAll = "States.ALL";
inline constexpr const char* kTaskFailed = "States.TaskFailed";
inline constexpr const char* kTimeout = "States.Timeout";
inline constexpr const char* kHeartbeatTimeout = "States.HeartbeatTimeout";
inline constexpr const char* kPermissions = "States.Permissions";
inline constexpr const char* kResultPathMatchFailure = "States.ResultPathMatchFailure";
inline constexpr const char* kParameterPathFailure = "States.ParameterPathFailure";
inline constexpr const char* kBranchFailed = "States.BranchFailed";
inline constexpr const char* kNoChoiceMatched = "States.NoChoiceMatched";
inline constexpr const char* kIntrinsicFailure = "States.IntrinsicFailure";
inline constexpr const char* kRuntime = "States.Runtime";
inline constexpr const char* kDataLimitExceeded = "States.DataLimitExceeded";
inline constexpr const char* kExceedToleratedFailureThreshold =
    "States.ExceedToleratedFailureThreshold";
inline constexpr const char* kItemReaderFailed = "States.ItemReaderFailed";
inline constexpr const char* kQueryEvaluationError = "States.QueryEvaluationError";
}  // namespace errors

class StatesError : public std::runtime_error {
 public:
  StatesError(std::string error, std::string cause)
      : std::runtime_error(error + ": " + cause),
        error_(std::move(error)),
        cause_(std::move(cause)) {}
  const std::string& error() const { return error_; }
  const std::string& cause() const { return cause_; }

 private:
  std::string error_;
  std::string cause_;
};

}  // namespace batchd::asl
