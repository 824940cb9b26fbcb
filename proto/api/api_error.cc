#include "api/api_error.h"

namespace batchd::api {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case ErrorCode::kNotFound:
      return "NOT_FOUND";
    case ErrorCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case ErrorCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case ErrorCode::kAborted:
      return "ABORTED";
    case ErrorCode::kUnavailable:
      return "UNAVAILABLE";
    case ErrorCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case ErrorCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case ErrorCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

ApiError::ApiError(ErrorCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {}

void ThrowInvalid(std::string_view field, std::string_view rule) {
  std::string message(field);
  message += ": ";
  message += rule;
  throw ApiError(ErrorCode::kInvalidArgument, message);
}

void ThrowNotFound(std::string_view what) {
  throw ApiError(ErrorCode::kNotFound, std::string(what));
}

void ThrowAlreadyExists(std::string_view what) {
  throw ApiError(ErrorCode::kAlreadyExists, std::string(what));
}

void ThrowFailedPrecondition(std::string_view what) {
  throw ApiError(ErrorCode::kFailedPrecondition, std::string(what));
}

}  // namespace batchd::api
