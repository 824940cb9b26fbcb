#include "api/states_names.h"

#include <charconv>
#include <cstdint>
#include <vector>

#include "api/api_error.h"

namespace batchd::api {
namespace {

constexpr size_t kMaxNameLength = 80;
constexpr std::string_view kForbidden = "<>{}[]?*\"#%\\^|~`$&,;:/";

// Decodes the next code point of `text` at `i`, advancing `i`; nullopt for bytes that are not
// well-formed UTF-8 (overlong forms and surrogates included).
std::optional<uint32_t> NextCodePoint(std::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  int extra = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  if ((lead & 0xE0) == 0xC0) {
    extra = 1, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, cp = lead & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + extra >= text.size()) return std::nullopt;
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += extra + 1;
  return cp;
}

bool IsWhitespace(uint32_t cp) {
  switch (cp) {
    case ' ':
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
  }
  return (cp >= 0x2000 && cp <= 0x200A);
}

bool IsControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

std::vector<std::string_view> SplitColons(std::string_view text) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto colon = text.find(':');
    parts.push_back(text.substr(0, colon));
    if (colon == std::string_view::npos) return parts;
    text.remove_prefix(colon + 1);
  }
}

std::optional<int> Revision(std::string_view field, std::string_view ref, std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 1) {
    ThrowInvalid(field, "\"" + std::string(ref) +
                            "\": after the state machine name comes a revision number; batchd "
                            "has no aliases");
  }
  return value;
}

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// The resource part of an ARN ("stateMachine:x", "execution:m:e"), split at colons: its kind
// first. Throws unless `arn` is a Step Functions ARN.
std::vector<std::string_view> ResourceParts(std::string_view field, std::string_view arn) {
  auto parts = SplitColons(arn);
  // arn, partition, service, region, account, kind, name...
  if (parts.size() < 7 || parts[0] != "arn" || parts[2] != "states") {
    ThrowInvalid(field, "not a Step Functions ARN: " + Quoted(arn));
  }
  return {parts.begin() + 5, parts.end()};
}

StateMachineRef StateMachineFromParts(std::string_view field, std::string_view ref,
                                      const std::vector<std::string_view>& parts) {
  if (parts.empty() || parts.size() > 2) {
    ThrowInvalid(field, "not a state machine name or ARN: " + Quoted(ref));
  }
  CheckStatesName(field, parts[0]);
  StateMachineRef out{std::string(parts[0]), std::nullopt};
  if (parts.size() == 2) out.revision = Revision(field, ref, parts[1]);
  return out;
}

ExecutionRef ExecutionFromParts(std::string_view field, std::string_view ref,
                                const std::vector<std::string_view>& parts) {
  if (parts.size() != 2) ThrowInvalid(field, "not an execution ARN: " + Quoted(ref));
  CheckStatesName(field, parts[0]);
  CheckStatesName(field, parts[1]);
  return {std::string(parts[0]), std::string(parts[1])};
}

std::string Arn(std::string_view kind, std::string_view rest) {
  std::string arn(kStatesArnPrefix);
  arn += kind;
  arn += ':';
  arn += rest;
  return arn;
}

}  // namespace

std::string StateMachineArn(std::string_view name) { return Arn(kStateMachineKind, name); }

std::string ExecutionArn(std::string_view state_machine, std::string_view name) {
  return Arn(kExecutionKind, std::string(state_machine) + ":" + std::string(name));
}

std::string ActivityArn(std::string_view name) { return Arn(kActivityKind, name); }

bool IsValidStatesName(std::string_view name) {
  size_t count = 0;
  for (size_t i = 0; i < name.size();) {
    auto cp = NextCodePoint(name, i);
    if (!cp || IsWhitespace(*cp) || IsControl(*cp)) return false;
    if (*cp < 0x80 && kForbidden.find(static_cast<char>(*cp)) != std::string_view::npos) {
      return false;
    }
    ++count;
  }
  return count >= 1 && count <= kMaxNameLength;
}

void CheckStatesName(std::string_view field, std::string_view name) {
  if (name.empty()) ThrowInvalid(field, "is required");
  if (!IsValidStatesName(name)) {
    ThrowInvalid(field,
                 "must be 1-80 characters without whitespace, control characters or any "
                 "of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : / (got " +
                     Quoted(name) + ")");
  }
}

StateMachineRef ParseStateMachineRef(std::string_view field, std::string_view ref) {
  if (ref.empty()) ThrowInvalid(field, "is required");
  if (!ref.starts_with("arn:")) return StateMachineFromParts(field, ref, SplitColons(ref));
  auto parts = ResourceParts(field, ref);
  if (parts[0] != kStateMachineKind) {
    ThrowInvalid(field, "expected a state machine ARN, got " + Quoted(ref));
  }
  return StateMachineFromParts(field, ref, {parts.begin() + 1, parts.end()});
}

ExecutionRef ParseExecutionRef(std::string_view field, std::string_view ref) {
  if (ref.empty()) ThrowInvalid(field, "is required");
  if (!ref.starts_with("arn:")) return ExecutionFromParts(field, ref, SplitColons(ref));
  auto parts = ResourceParts(field, ref);
  if (parts[0] != kExecutionKind) {
    ThrowInvalid(field, "expected an execution ARN, got " + Quoted(ref));
  }
  return ExecutionFromParts(field, ref, {parts.begin() + 1, parts.end()});
}

std::string ActivityNameFromRef(std::string_view field, std::string_view ref) {
  if (ref.empty()) ThrowInvalid(field, "is required");
  std::string_view name = ref;
  if (ref.starts_with("arn:")) {
    auto parts = ResourceParts(field, ref);
    if (parts[0] != kActivityKind || parts.size() != 2) {
      ThrowInvalid(field, "expected an activity ARN, got " + Quoted(ref));
    }
    name = parts[1];
  }
  CheckStatesName(field, name);
  return std::string(name);
}

StatesResource ParseStatesArn(std::string_view field, std::string_view arn) {
  if (arn.empty()) ThrowInvalid(field, "is required");
  if (!arn.starts_with("arn:")) ThrowInvalid(field, "not a Step Functions ARN: " + Quoted(arn));
  auto parts = ResourceParts(field, arn);
  const std::vector<std::string_view> rest(parts.begin() + 1, parts.end());
  if (parts[0] == kStateMachineKind) {
    auto ref = StateMachineFromParts(field, arn, rest);
    return {kStateMachineKind, ref.name, ref.name, ref.revision};
  }
  if (parts[0] == kExecutionKind) {
    auto ref = ExecutionFromParts(field, arn, rest);
    return {kExecutionKind, ref.name, ref.state_machine, std::nullopt};
  }
  if (parts[0] == kActivityKind && rest.size() == 1) {
    CheckStatesName(field, rest[0]);
    return {kActivityKind, std::string(rest[0]), "", std::nullopt};
  }
  ThrowInvalid(field, "not a state machine, execution or activity ARN: " + Quoted(arn));
}

}  // namespace batchd::api
