#include "store/page_token.h"

#include <charconv>

#include "api/api_error.h"

namespace batchd::store::internal {
namespace {

// Names and job ids never contain this control character, so it separates key parts safely.
constexpr char kSeparator = '\x1f';
constexpr std::string_view kHex = "0123456789abcdef";

[[noreturn]] void ThrowBadToken() {
  api::ThrowInvalid("nextToken", "not a token returned by a previous call");
}

int HexValue(char c) {
  auto pos = kHex.find(c);
  if (pos == std::string_view::npos) ThrowBadToken();
  return static_cast<int>(pos);
}

}  // namespace

std::string EncodePageToken(std::string_view listing, const std::vector<std::string>& key) {
  std::string plain(listing);
  for (const auto& part : key) {
    plain += kSeparator;
    plain += part;
  }
  std::string token;
  token.reserve(plain.size() * 2);
  for (unsigned char c : plain) {
    token += kHex[c >> 4];
    token += kHex[c & 0xf];
  }
  return token;
}

std::vector<std::string> DecodePageToken(std::string_view listing, const std::string& token,
                                         size_t parts) {
  if (token.size() % 2 != 0 || token.size() > 4096) ThrowBadToken();
  std::string plain;
  for (size_t i = 0; i < token.size(); i += 2) {
    plain += static_cast<char>(HexValue(token[i]) * 16 + HexValue(token[i + 1]));
  }
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    auto sep = plain.find(kSeparator, start);
    fields.push_back(plain.substr(start, sep == std::string::npos ? sep : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 1;
  }
  if (fields.size() != parts + 1 || fields[0] != listing) ThrowBadToken();
  fields.erase(fields.begin());
  return fields;
}

int PageSize(int max_results) {
  constexpr int kDefault = 100;
  constexpr int kMax = 10000;
  if (max_results <= 0) return kDefault;
  return max_results < kMax ? max_results : kMax;
}

int64_t PageTokenInt(const std::string& part) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
  if (ec != std::errc() || end != part.data() + part.size()) ThrowBadToken();
  return value;
}

}  // namespace batchd::store::internal
