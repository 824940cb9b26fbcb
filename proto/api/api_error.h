#pragma once
// The one error convention of batchd: code below the gRPC layer throws ApiError; each
// boundary (gRPC service, batchctl) turns it into a status or a message and exit code.
#include <stdexcept>
#include <string>
#include <string_view>

namespace batchd::api {

enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kUnavailable,
  kUnauthenticated,
  kResourceExhausted,
  kInternal,
};

std::string_view ErrorCodeName(ErrorCode code);

class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorCode code, const std::string& message);
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Messages name the field (its JSON path, e.g. "computeResources.maxvCpus") and the rule.
[[noreturn]] void ThrowInvalid(std::string_view field, std::string_view rule);
[[noreturn]] void ThrowNotFound(std::string_view what);
[[noreturn]] void ThrowAlreadyExists(std::string_view what);
[[noreturn]] void ThrowFailedPrecondition(std::string_view what);

}  // namespace batchd::api
