// The intrinsic functions on strings: Format, StringToJson, JsonToString, Base64Encode,
// Base64Decode, Hash, StringSplit and UUID.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/asl/intrinsic_call.h"

namespace batchd::asl::intrinsic {
namespace {

// AWS's limits on the text States.Base64Encode, States.Base64Decode and States.Hash take.
constexpr size_t kMaxTextLength = 10000;

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// Java counts a string's length in UTF-16 units, and AWS's limits are Java string lengths:
// a character outside the Basic Multilingual Plane counts twice.
size_t Utf16Length(std::string_view text) {
  size_t length = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++length;
    if (c >= 0xF0) ++length;
  }
  return length;
}

void CheckLength(const Invocation& invocation, std::string_view text) {
  size_t length = Utf16Length(text);
  if (length > kMaxTextLength) {
    Fail(invocation, "the text has " + std::to_string(length) + " characters, more than " +
                         std::to_string(kMaxTextLength));
  }
}

// The length of the UTF-8 sequence starting with `lead`, 0 for a byte that cannot start one.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

// Decoded bytes as text the way Java's new String(bytes, UTF_8) makes it: each malformed
// sequence becomes U+FFFD, so the result is always valid JSON text.
std::string ValidUtf8(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char lead = static_cast<unsigned char>(bytes[i]);
    size_t length = SequenceLength(lead);
    size_t valid = length == 0 ? 0 : 1;
    uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
    while (valid > 0 && valid < length && i + valid < bytes.size() &&
           (static_cast<unsigned char>(bytes[i + valid]) & 0xC0) == 0x80) {
      code = (code << 6) | (static_cast<unsigned char>(bytes[i + valid]) & 0x3F);
      ++valid;
    }
    static constexpr std::array<uint32_t, 5> kMinimum = {0, 0, 0x80, 0x800, 0x10000};
    bool ok = length > 0 && valid == length && code >= kMinimum[length] && code <= 0x10FFFF &&
              (code < 0xD800 || code > 0xDFFF);
    if (ok) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out.append(kReplacementCharacter);
      i += valid > 1 ? valid : 1;
    }
  }
  return out;
}

// The text cut into its characters (code points), each a slice of the UTF-8 bytes.
std::vector<std::string_view> Characters(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t length = SequenceLength(static_cast<unsigned char>(text[i]));
    if (length == 0 || i + length > text.size()) length = 1;
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

// How States.Format prints a value (recorded): strings bare, null as "null", arrays and
// objects as Java prints its lists and maps: "[1, a]", "{Arg1=1, Arg2=[]}".
void AppendFormatted(const Json& value, std::string& out) {
  if (value.is_string()) {
    out += value.get_ref<const std::string&>();
  } else if (value.is_array()) {
    out += '[';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out += ", ";
      AppendFormatted(value[i], out);
    }
    out += ']';
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      out += it.key();
      out += '=';
      AppendFormatted(it.value(), out);
    }
    out += '}';
  } else {
    out += Compact(value);
  }
}

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t count = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t k = 0; k < 3; ++k) {
      uint32_t byte = k < count ? static_cast<unsigned char>(bytes[i + k]) : 0;
      group = (group << 8) | byte;
    }
    for (size_t k = 0; k < 4; ++k) {
      out += k <= count ? kBase64Alphabet[(group >> (18 - 6 * k)) & 0x3F] : '=';
    }
  }
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// AWS decodes "MIME" base64 leniently (observed: "abc", " YWJjZA== " and "!!!invalid!!!"
// decode without error): characters outside the alphabet are skipped, the first '=' ends the
// data, and a final partial group yields the whole bytes it holds.
std::string FromBase64(std::string_view text) {
  std::string bytes;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    int value = Base64Value(c);
    if (value < 0) continue;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xFF);
      buffer &= (1u << bits) - 1;
    }
  }
  return bytes;
}

const EVP_MD* HashAlgorithm(std::string_view name) {
  if (name == "MD5") return EVP_md5();
  if (name == "SHA-1") return EVP_sha1();
  if (name == "SHA-256") return EVP_sha256();
  if (name == "SHA-384") return EVP_sha384();
  if (name == "SHA-512") return EVP_sha512();
  return nullptr;
}

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0F];
  }
  return out;
}

}  // namespace

bool IsHashAlgorithm(std::string_view name) { return HashAlgorithm(name) != nullptr; }

// A template written as a literal keeps its escapes, so "\{}" is a brace and not a
// placeholder; one that came from a path or a call is taken as it is.
Json StatesFormat(const Invocation& invocation) {
  const Arg& first = invocation.call.args[0];
  bool literal = first.kind == Arg::Kind::kString;
  Template parts = SplitTemplate(
      literal ? first.text : invocation.args[0].get_ref<const std::string&>(), literal);
  if (!parts.error.empty()) Fail(invocation, parts.error);
  size_t placeholders = parts.pieces.size() - 1;
  size_t values = invocation.args.size() - 1;
  if (placeholders != values) Fail(invocation, PlaceholderMismatch(placeholders, values));
  std::string out = parts.pieces[0];
  for (size_t i = 1; i < parts.pieces.size(); ++i) {
    AppendFormatted(invocation.args[i], out);
    out += parts.pieces[i];
  }
  return out;
}

// Empty text is null (recorded); so is blank text, which Jackson also reads as no content.
Json StatesStringToJson(const Invocation& invocation) {
  const std::string& text = invocation.args[0].get_ref<const std::string&>();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
  Json parsed = Json::parse(text, nullptr, false);
  if (parsed.is_discarded()) Fail(invocation, "the argument is not valid JSON text");
  return parsed;
}

Json StatesJsonToString(const Invocation& invocation) { return Compact(invocation.args[0]); }

Json StatesBase64Encode(const Invocation& invocation) {
  const std::string& text = invocation.args[0].get_ref<const std::string&>();
  CheckLength(invocation, text);
  return Base64(text);
}

Json StatesBase64Decode(const Invocation& invocation) {
  const std::string& text = invocation.args[0].get_ref<const std::string&>();
  CheckLength(invocation, text);
  return ValidUtf8(FromBase64(text));
}

// Data that is not a string is hashed as its JSON text, as AWS does (observed).
Json StatesHash(const Invocation& invocation) {
  const Json& data = invocation.args[0];
  std::string text = data.is_string() ? data.get<std::string>() : Compact(data);
  CheckLength(invocation, text);
  const std::string& name = invocation.args[1].get_ref<const std::string&>();
  const EVP_MD* algorithm = HashAlgorithm(name);
  if (algorithm == nullptr) {
    Fail(invocation,
         "unknown algorithm '" + name + "': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512");
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, algorithm, nullptr) != 1) {
    Fail(invocation, "OpenSSL could not compute the " + name + " digest");
  }
  return Hex(digest.data(), size);
}

// The second argument is a set of delimiter characters and empty pieces are dropped, as
// Java's StringTokenizer does (recorded: ", , ," split on "," gives [" ", " "]).
Json StatesStringSplit(const Invocation& invocation) {
  std::string_view text = invocation.args[0].get_ref<const std::string&>();
  std::string_view delimiters = invocation.args[1].get_ref<const std::string&>();
  std::vector<std::string_view> delimiter_list = Characters(delimiters);
  std::set<std::string_view> delimiter_set(delimiter_list.begin(), delimiter_list.end());
  Json out = Json::array();
  std::string piece;
  for (std::string_view character : Characters(text)) {
    if (delimiter_set.count(character) == 0) {
      piece.append(character);
    } else if (!piece.empty()) {
      out.push_back(std::move(piece));
      piece.clear();
    }
  }
  if (!piece.empty()) out.push_back(std::move(piece));
  return out;
}

// A version 4 UUID: 122 random bits, the version nibble 4 and the variant bits 10.
Json StatesUuid(const Invocation& invocation) {
  std::array<unsigned char, 16> bytes{};
  for (size_t half = 0; half < 2; ++half) {
    uint64_t bits = invocation.random.Next();
    for (size_t k = 0; k < 8; ++k)
      bytes[half * 8 + k] = static_cast<unsigned char>(bits >> (56 - 8 * k));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
  std::string hex = Hex(bytes.data(), bytes.size());
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace batchd::asl::intrinsic
