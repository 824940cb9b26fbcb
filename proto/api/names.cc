#include "api/names.h"

#include <charconv>
#include <cstdio>
#include <random>

#include "api/api_error.h"

namespace batchd::api {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Strips "arn:<partition>:batch:<region>:<account>:<kind>/" when `ref` is an ARN.
std::string_view StripArn(std::string_view field, std::string_view ref, std::string_view kind) {
  if (!ref.starts_with("arn:")) return ref;
  std::string_view rest = ref;
  for (int i = 0; i < 5; ++i) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos)
      ThrowInvalid(field, "malformed ARN \"" + std::string(ref) + "\"");
    rest.remove_prefix(colon + 1);
  }
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || rest.substr(0, slash) != kind) {
    ThrowInvalid(field, "expected a " + std::string(kind) + " name or ARN, got \"" +
                            std::string(ref) + "\"");
  }
  return rest.substr(slash + 1);
}

}  // namespace

std::string MakeArn(std::string_view kind, std::string_view name) {
  std::string arn(kArnPrefix);
  arn += kind;
  arn += '/';
  arn += name;
  return arn;
}

std::string JobDefinitionArn(std::string_view name, int revision) {
  return MakeArn(kJobDefinitionKind, std::string(name) + ":" + std::to_string(revision));
}

bool IsValidResourceName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool IsValidJobName(std::string_view name) {
  return IsValidResourceName(name) && name[0] != '-' && name[0] != '_';
}

void CheckResourceName(std::string_view field, std::string_view name) {
  if (name.empty()) ThrowInvalid(field, "is required");
  if (!IsValidResourceName(name)) {
    ThrowInvalid(field,
                 "must be 1-128 letters, digits, '-' or '_' (got \"" + std::string(name) + "\")");
  }
}

std::string NameFromRef(std::string_view field, std::string_view ref, std::string_view kind) {
  if (ref.empty()) ThrowInvalid(field, "is required");
  std::string_view name = StripArn(field, ref, kind);
  CheckResourceName(field, name);
  return std::string(name);
}

DefinitionRef ParseDefinitionRef(std::string_view field, std::string_view ref) {
  if (ref.empty()) ThrowInvalid(field, "is required");
  std::string_view body = StripArn(field, ref, kJobDefinitionKind);
  DefinitionRef out;
  auto colon = body.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view rev = body.substr(colon + 1);
    int value = 0;
    auto [ptr, ec] = std::from_chars(rev.data(), rev.data() + rev.size(), value);
    if (ec != std::errc() || ptr != rev.data() + rev.size() || value < 1) {
      ThrowInvalid(field, "revision must be a positive integer (got \"" + std::string(ref) + "\")");
    }
    out.revision = value;
    body = body.substr(0, colon);
  }
  CheckResourceName(field, body);
  out.name = std::string(body);
  return out;
}

std::string JobIdFromRef(std::string_view field, std::string_view ref) {
  if (ref.empty()) ThrowInvalid(field, "is required");
  std::string_view id = StripArn(field, ref, kJobKind);
  if (id.empty() || id.size() > 200) ThrowInvalid(field, "is not a job id");
  for (char c : id) {
    if (!IsNameChar(c) && c != ':' && c != '#') {
      ThrowInvalid(field, "is not a job id (got \"" + std::string(ref) + "\")");
    }
  }
  return std::string(id);
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;              // version 4
  lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace batchd::api
