#include "service/states_checks.h"

#include "core/asl/definition.h"
#include "core/asl/json.h"
#include "service/states_handlers.h"

namespace batchd::service::states {
namespace {

constexpr size_t kMaxErrorChars = 256;
constexpr size_t kMaxCauseChars = 32768;
constexpr size_t kMaxTokenChars = 1024;
constexpr size_t kMaxTagKeyChars = 128;
constexpr size_t kMaxTagValueChars = 256;

// Characters of UTF-8 text, as AWS's length limits count them.
size_t Chars(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

void Throw(api::ErrorCode code, std::string_view aws_code, std::string_view message) {
  throw api::ApiError(code, std::string(aws_code) + ": " + std::string(message));
}

void CheckName(std::string_view field, std::string_view name) {
  WithAwsCode("InvalidName", [&] { api::CheckStatesName(field, name); });
}

api::StateMachineRef StateMachineRefOf(std::string_view field, std::string_view ref) {
  return WithAwsCode("InvalidArn", [&] { return api::ParseStateMachineRef(field, ref); });
}

std::string ExecutionArnOf(std::string_view field, std::string_view ref) {
  auto parsed = WithAwsCode("InvalidArn", [&] { return api::ParseExecutionRef(field, ref); });
  return api::ExecutionArn(parsed.state_machine, parsed.name);
}

std::string ActivityNameOf(std::string_view field, std::string_view ref) {
  return WithAwsCode("InvalidArn", [&] { return api::ActivityNameFromRef(field, ref); });
}

void CheckMaxResults(int max_results, int limit) {
  if (max_results < 0 || max_results > limit) {
    api::ThrowInvalid("maxResults", "must be 0 (the default) to " + std::to_string(limit) +
                                        " (got " + std::to_string(max_results) + ")");
  }
}

void CheckPayload(std::string_view aws_code, std::string_view field, const std::string& text,
                  bool empty_ok) {
  const std::string name(field);
  if (text.empty()) {
    if (empty_ok) return;
    Throw(api::ErrorCode::kInvalidArgument, aws_code, name + " is required (JSON text)");
  }
  if (text.size() > kMaxStatesPayloadBytes) {
    Throw(api::ErrorCode::kInvalidArgument, aws_code,
          name + " is " + std::to_string(text.size()) + " bytes; at most " +
              std::to_string(kMaxStatesPayloadBytes) + " are allowed");
  }
  try {
    const asl::Json parsed = asl::Json::parse(text);
    (void)parsed;
  } catch (const asl::Json::parse_error& e) {
    // nlohmann's message names the byte where the text stops being JSON.
    Throw(api::ErrorCode::kInvalidArgument, aws_code,
          name + " is not JSON text: " + std::string(e.what()));
  }
}

void CheckDefinition(const std::string& definition) {
  constexpr std::string_view kCode = "InvalidDefinition";
  if (definition.empty()) {
    Throw(api::ErrorCode::kInvalidArgument, kCode, "definition is required");
  }
  if (definition.size() > kMaxDefinitionBytes) {
    Throw(api::ErrorCode::kInvalidArgument, kCode,
          "definition is " + std::to_string(definition.size()) + " bytes; at most " +
              std::to_string(kMaxDefinitionBytes) + " are allowed");
  }
  const asl::ParsedDefinition parsed = asl::ParseDefinition(definition);
  std::string problems;
  for (const asl::Diagnostic& d : parsed.diagnostics) {
    if (d.severity != "ERROR") continue;
    if (!problems.empty()) problems += "; ";
    problems += asl::Describe(d);
  }
  if (!problems.empty()) Throw(api::ErrorCode::kInvalidArgument, kCode, problems);
  if (parsed.machine == nullptr) {
    // The validator's contract: no machine only with an ERROR diagnostic.
    Throw(api::ErrorCode::kInvalidArgument, kCode, "definition was not accepted");
  }
}

void CheckErrorAndCause(const std::string& error, const std::string& cause) {
  if (Chars(error) > kMaxErrorChars) {
    api::ThrowInvalid("error", "at most " + std::to_string(kMaxErrorChars) + " characters");
  }
  if (Chars(cause) > kMaxCauseChars) {
    api::ThrowInvalid("cause", "at most " + std::to_string(kMaxCauseChars) + " characters");
  }
}

void CheckTaskToken(const std::string& token) {
  if (token.empty()) api::ThrowInvalid("taskToken", "is required");
  if (Chars(token) > kMaxTokenChars) {
    Throw(api::ErrorCode::kInvalidArgument, "InvalidToken",
          "taskToken: at most " + std::to_string(kMaxTokenChars) + " characters");
  }
}

store::Tags TagsOf(const google::protobuf::RepeatedPtrField<batch::v1::Tag>& tags) {
  store::Tags out;
  for (int i = 0; i < tags.size(); ++i) {
    const auto& tag = tags[i];
    const std::string field = "tags[" + std::to_string(i) + "]";
    if (tag.key().empty() || Chars(tag.key()) > kMaxTagKeyChars) {
      api::ThrowInvalid(field + ".key",
                        "must be 1-" + std::to_string(kMaxTagKeyChars) + " characters");
    }
    if (Chars(tag.value()) > kMaxTagValueChars) {
      api::ThrowInvalid(field + ".value",
                        "at most " + std::to_string(kMaxTagValueChars) + " characters");
    }
    out[tag.key()] = tag.value();
  }
  if (out.size() > kMaxTagsPerResource) {
    Throw(api::ErrorCode::kInvalidArgument, "TooManyTags",
          "tags: at most " + std::to_string(kMaxTagsPerResource) + " per resource (got " +
              std::to_string(out.size()) + ")");
  }
  return out;
}

void AddTags(const store::Tags& tags, google::protobuf::RepeatedPtrField<batch::v1::Tag>* out) {
  for (const auto& [key, value] : tags) {
    batch::v1::Tag* tag = out->Add();
    tag->set_key(key);
    tag->set_value(value);
  }
}

google::protobuf::Struct LoggingOff() {
  google::protobuf::Struct logging;
  (*logging.mutable_fields())["level"].set_string_value("OFF");
  (*logging.mutable_fields())["includeExecutionData"].set_bool_value(false);
  return logging;
}

}  // namespace batchd::service::states
