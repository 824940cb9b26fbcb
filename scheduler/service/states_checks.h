#pragma once
// What the workflow API's handlers share: checks of request fields against AWS's rules, with
// errors that start with AWS's error code ("InvalidArn: ...", "InvalidName: ...") and name the
// field; and the conversions of times and tags between the store and the API.
#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/repeated_ptr_field.h>
#include <google/protobuf/struct.pb.h>

#include "api/api_error.h"
#include "api/states_names.h"
#include "batch/v1/states.pb.h"
#include "store/workflow_store.h"

namespace batchd::service::states {

// The store keeps epoch milliseconds; Step Functions' wire carries epoch seconds.
inline double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

[[noreturn]] void Throw(api::ErrorCode code, std::string_view aws_code, std::string_view message);

// Runs `f`; an INVALID_ARGUMENT from it is rethrown with `aws_code` in front of its message.
template <typename F>
auto WithAwsCode(std::string_view aws_code, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const api::ApiError& e) {
    if (e.code() != api::ErrorCode::kInvalidArgument) throw;
    Throw(e.code(), aws_code, e.what());
  }
}

// Runs `f`; an ApiError of `code` from it is replaced by one saying `message`, for the store's
// errors whose text does not carry AWS's error code.
template <typename F>
auto Replacing(api::ErrorCode code, const std::string& message, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const api::ApiError& e) {
    if (e.code() != code) throw;
    throw api::ApiError(code, message);
  }
}

// Names and references, refused as InvalidName / InvalidArn.
void CheckName(std::string_view field, std::string_view name);
api::StateMachineRef StateMachineRefOf(std::string_view field, std::string_view ref);
// The execution's ARN as batchd stores it, whatever form `ref` took.
std::string ExecutionArnOf(std::string_view field, std::string_view ref);
std::string ActivityNameOf(std::string_view field, std::string_view ref);

// maxResults: 0 (the default page) to `limit`.
void CheckMaxResults(int max_results, int limit = 1000);
// `text` is JSON of at most kMaxStatesPayloadBytes; else INVALID_ARGUMENT "<aws_code>: ...".
// Empty text is refused unless `empty_ok`.
void CheckPayload(std::string_view aws_code, std::string_view field, const std::string& text,
                  bool empty_ok);
// A definition the validator accepts, else INVALID_ARGUMENT "InvalidDefinition: ..." listing
// every error as "location: message".
void CheckDefinition(const std::string& definition);
// AWS's bounds on an error name (256) and cause (32768) given by a caller.
void CheckErrorAndCause(const std::string& error, const std::string& cause);
// Present and within AWS's 1024 characters; messages never quote it: a token is a secret.
void CheckTaskToken(const std::string& token);

// Tags as given, checked against AWS's rules (key 1-128, value 0-256 characters, at most
// kMaxTagsPerResource); a key given twice keeps its last value.
store::Tags TagsOf(const google::protobuf::RepeatedPtrField<batch::v1::Tag>& tags);
void AddTags(const store::Tags& tags, google::protobuf::RepeatedPtrField<batch::v1::Tag>* out);

// AWS answers loggingConfiguration {level OFF} for a machine that logs nothing (recorded);
// batchd never logs per state machine.
google::protobuf::Struct LoggingOff();

}  // namespace batchd::service::states
