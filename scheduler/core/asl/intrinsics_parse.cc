// Reading intrinsic calls, the table of functions, and the static check of a call.
#include <cctype>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "core/asl/intrinsic_call.h"
#include "core/asl/intrinsics.h"
#include "core/asl/states_error.h"

namespace batchd::asl {
namespace intrinsic {
namespace {

// AWS: "You can nest up to 10 intrinsic functions within a field"; its own example counts
// every call in the field (nine calls, five deep), so the limit is on the total.
constexpr size_t kMaxCallsPerField = 10;

// Only guards the parser's recursion; CheckIntrinsic's limit above is far lower.
constexpr size_t kMaxParseDepth = 64;

constexpr std::string_view kPrefix = "States.";

struct SyntaxError {
  std::string message;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  void ParseWhole(Call& out) {
    ParseCall(out, 0);
    SkipSpace();
    if (pos_ != text_.size()) Throw("unexpected text after the closing ')'");
  }

 private:
  [[noreturn]] void Throw(const std::string& what) const {
    throw SyntaxError{what + " at offset " + std::to_string(pos_)};
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  std::string_view ReadWord() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  void ParseCall(Call& out, size_t depth) {
    if (depth >= kMaxParseDepth) Throw("calls nested too deeply");
    size_t start = pos_;
    std::string_view name = ReadWord();
    if (!name.starts_with(kPrefix) || name.size() == kPrefix.size()) {
      pos_ = start;
      Throw("expected a function name such as 'States.Format'");
    }
    out.name = std::string(name);
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '(') Throw("expected '(' after " + out.name);
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ')') {
      ++pos_;
      return;
    }
    while (true) {
      Arg& arg = out.args.emplace_back();
      ParseArg(arg, depth);
      SkipSpace();
      if (pos_ >= text_.size()) Throw("expected ',' or ')'");
      if (text_[pos_] == ')') {
        ++pos_;
        return;
      }
      if (text_[pos_] != ',') Throw("expected ',' or ')'");
      ++pos_;
      SkipSpace();
    }
  }

  void ParseArg(Arg& out, size_t depth) {
    if (pos_ >= text_.size()) Throw("expected an argument");
    char c = text_[pos_];
    if (c == '\'') return ParseString(out);
    if (c == '$') return ParsePath(out);
    if (c == '-' || IsDigit(c)) return ParseNumber(out);
    size_t start = pos_;
    std::string_view word = ReadWord();
    if (word == "true" || word == "false") {
      out.kind = Arg::Kind::kBoolean;
      out.value = word == "true";
      return;
    }
    if (word == "null") {
      out.kind = Arg::Kind::kNull;
      out.value = nullptr;
      return;
    }
    pos_ = start;
    if (word.starts_with(kPrefix)) {
      auto call = std::make_shared<Call>();
      ParseCall(*call, depth + 1);
      out.kind = Arg::Kind::kCall;
      out.call = std::move(call);
      return;
    }
    Throw(word.empty() ? "expected an argument"
                       : "unexpected '" + std::string(word) +
                             "': an argument is a 'string', a number, true, false, null, a "
                             "path or a call");
  }

  // Only \' \{ \} \\ are escapes; AWS fails on any other ("open escape backslash").
  void ParseString(Arg& out) {
    ++pos_;
    size_t start = pos_;
    std::string decoded;
    while (true) {
      if (pos_ >= text_.size()) {
        pos_ = start - 1;
        Throw("unterminated string literal");
      }
      char c = text_[pos_];
      if (c == '\'') break;
      if (c == '\\') {
        char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
        if (next != '\'' && next != '{' && next != '}' && next != '\\') {
          Throw("a backslash in a string literal must start \\', \\{, \\} or \\\\");
        }
        decoded += next;
        pos_ += 2;
        continue;
      }
      decoded += c;
      ++pos_;
    }
    out.kind = Arg::Kind::kString;
    out.text = std::string(text_.substr(start, pos_ - start));
    out.value = std::move(decoded);
    ++pos_;
  }

  // A path runs to the next ',' or ')' outside its brackets and filter parentheses, so
  // "$.a[0,1]" and "$.l[?(@.n > 1)]" stay whole; CheckPath judges the text itself.
  void ParsePath(Arg& out) {
    size_t start = pos_;
    size_t brackets = 0;
    size_t parens = 0;
    char quote = '\0';
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (quote != '\0') {
        if (c == '\\') {
          ++pos_;
        } else if (c == quote) {
          quote = '\0';
        }
        continue;
      }
      if (brackets > 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        if (brackets > 0) --brackets;
      } else if (c == '(') {
        ++parens;
      } else if (c == ')') {
        if (parens == 0 && brackets == 0) break;
        if (parens > 0) --parens;
      } else if (c == ',' && brackets == 0 && parens == 0) {
        break;
      }
    }
    size_t end = pos_;
    while (end > start && IsSpace(text_[end - 1])) --end;
    out.kind = Arg::Kind::kPath;
    out.text = std::string(text_.substr(start, end - start));
  }

  // JSON's number grammar: "1.", ".5" and "01" are not numbers.
  void ParseNumber(Arg& out) {
    size_t start = pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      return pos_ > from;
    };
    auto malformed = [&] {
      while (pos_ < text_.size() && (IsWordChar(text_[pos_]) || text_[pos_] == '-')) ++pos_;
      std::string token(text_.substr(start, pos_ - start));
      pos_ = start;
      Throw("malformed number '" + token + "'");
    };
    if (text_[pos_] == '-') ++pos_;
    if (!digits()) malformed();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) malformed();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) malformed();
    }
    if (pos_ < text_.size() && (IsWordChar(text_[pos_]) || text_[pos_] == '-')) malformed();
    std::string_view token = text_.substr(start, pos_ - start);
    size_t first_digit = token[0] == '-' ? 1 : 0;
    if (token.size() > first_digit + 1 && token[first_digit] == '0' &&
        IsDigit(token[first_digit + 1])) {
      malformed();
    }
    out.kind = Arg::Kind::kNumber;
    out.value = Json::parse(token);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

const std::vector<Signature>& Table() {
  using T = Type;
  static const std::vector<Signature> table = {
      {"States.Format", Fn::kFormat, 1, kVariadic, {T::kString}, T::kString},
      {"States.StringToJson", Fn::kStringToJson, 1, 1, {T::kString}, T::kAny},
      {"States.JsonToString", Fn::kJsonToString, 1, 1, {}, T::kString},
      {"States.Array", Fn::kArray, 0, kVariadic, {}, T::kArray},
      {"States.ArrayPartition", Fn::kArrayPartition, 2, 2, {T::kArray, T::kNumber}, T::kArray},
      {"States.ArrayContains", Fn::kArrayContains, 2, 2, {T::kArray}, T::kBoolean},
      {"States.ArrayRange", Fn::kArrayRange, 3, 3, {T::kNumber, T::kNumber, T::kNumber}, T::kArray},
      {"States.ArrayGetItem", Fn::kArrayGetItem, 2, 2, {T::kArray, T::kNumber}, T::kAny},
      {"States.ArrayLength", Fn::kArrayLength, 1, 1, {T::kArray}, T::kNumber},
      {"States.ArrayUnique", Fn::kArrayUnique, 1, 1, {T::kArray}, T::kArray},
      {"States.Base64Encode", Fn::kBase64Encode, 1, 1, {T::kString}, T::kString},
      {"States.Base64Decode", Fn::kBase64Decode, 1, 1, {T::kString}, T::kString},
      // The data may be any value: AWS hashes numbers and objects as their text.
      {"States.Hash", Fn::kHash, 2, 2, {T::kAny, T::kString}, T::kString},
      {"States.JsonMerge", Fn::kJsonMerge, 3, 3, {T::kObject, T::kObject, T::kBoolean}, T::kObject},
      {"States.MathRandom",
       Fn::kMathRandom,
       2,
       3,
       {T::kNumber, T::kNumber, T::kNumber},
       T::kNumber},
      {"States.MathAdd", Fn::kMathAdd, 2, 2, {T::kNumber, T::kNumber}, T::kNumber},
      {"States.StringSplit", Fn::kStringSplit, 2, 2, {T::kString, T::kString}, T::kArray},
      {"States.UUID", Fn::kUuid, 0, 0, {}, T::kString},
  };
  return table;
}

std::string ExpectedArgs(const Signature& signature) {
  auto plural = [](size_t n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
  if (signature.max_args == kVariadic) return "at least " + plural(signature.min_args);
  if (signature.max_args == 0) return "no arguments";
  if (signature.min_args == signature.max_args) return plural(signature.min_args);
  return std::to_string(signature.min_args) + " or " + plural(signature.max_args);
}

size_t CountCalls(const Call& call) {
  size_t count = 1;
  for (const Arg& arg : call.args) {
    if (arg.kind == Arg::Kind::kCall) count += CountCalls(*arg.call);
  }
  return count;
}

bool HasPath(const Call& call) {
  for (const Arg& arg : call.args) {
    if (arg.kind == Arg::Kind::kPath) return true;
    if (arg.kind == Arg::Kind::kCall && HasPath(*arg.call)) return true;
  }
  return false;
}

// A nested call's result type against a parameter; kAny results are only known at run time.
bool ResultFits(Type result, Type wanted) {
  return wanted == Type::kAny || result == Type::kAny || result == wanted;
}

std::string Invalid(const Call& call, const std::string& rule) {
  return "Invalid arguments in " + call.name + ": " + rule;
}

// The literal type or the nested call's result type against what the parameter accepts.
std::optional<std::string> CheckArgType(const Call& call, const Signature& signature,
                                        size_t index) {
  const Arg& arg = call.args[index];
  Type wanted = ParamType(signature, index);
  std::string where =
      "argument " + std::to_string(index + 1) + " must be " + DescribeType(wanted) + ", got ";
  switch (arg.kind) {
    case Arg::Kind::kString:
    case Arg::Kind::kNumber:
    case Arg::Kind::kBoolean:
    case Arg::Kind::kNull:
      if (!Matches(arg.value, wanted)) return Invalid(call, where + DescribeType(arg.value));
      return std::nullopt;
    case Arg::Kind::kCall: {
      const Signature* inner = FindSignature(arg.call->name);
      if (inner != nullptr && !ResultFits(inner->result, wanted)) {
        return Invalid(call,
                       where + DescribeType(inner->result) + " from " + std::string(inner->name));
      }
      return std::nullopt;
    }
    case Arg::Kind::kPath:
      return std::nullopt;
  }
  return std::nullopt;
}

// Literal values that fail whatever the input, for calls that also take paths (a call of
// literals only is evaluated whole instead).
std::optional<std::string> CheckLiteralValues(const Call& call, const Signature& signature) {
  auto literal = [&](size_t index, Arg::Kind kind) -> const Json* {
    if (index >= call.args.size() || call.args[index].kind != kind) return nullptr;
    return &call.args[index].value;
  };
  switch (signature.fn) {
    case Fn::kFormat: {
      if (call.args[0].kind != Arg::Kind::kString) return std::nullopt;
      Template parts = SplitTemplate(call.args[0].text, true);
      if (!parts.error.empty()) return Invalid(call, parts.error);
      size_t placeholders = parts.pieces.size() - 1;
      if (placeholders != call.args.size() - 1) {
        return Invalid(call, PlaceholderMismatch(placeholders, call.args.size() - 1));
      }
      return std::nullopt;
    }
    case Fn::kHash: {
      const Json* algorithm = literal(1, Arg::Kind::kString);
      if (algorithm != nullptr && !IsHashAlgorithm(algorithm->get_ref<const std::string&>())) {
        return Invalid(call, "unknown algorithm '" + algorithm->get<std::string>() +
                                 "': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512");
      }
      return std::nullopt;
    }
    case Fn::kJsonMerge: {
      const Json* deep = literal(2, Arg::Kind::kBoolean);
      if (deep != nullptr && deep->get<bool>()) {
        return Invalid(call, "only shallow merging is supported: the third argument must be false");
      }
      return std::nullopt;
    }
    case Fn::kArrayRange: {
      const Json* step = literal(2, Arg::Kind::kNumber);
      if (step != nullptr && std::abs(step->get<double>()) < 1) {
        return Invalid(call, "the step must not be 0");
      }
      return std::nullopt;
    }
    case Fn::kArrayPartition: {
      const Json* size = literal(1, Arg::Kind::kNumber);
      if (size != nullptr && size->get<double>() < 1) {
        return Invalid(call, "the chunk size must be a positive integer");
      }
      return std::nullopt;
    }
    case Fn::kArrayGetItem: {
      const Json* index = literal(1, Arg::Kind::kNumber);
      if (index != nullptr && index->get<double>() <= -1) {
        return Invalid(call, "the index must not be negative");
      }
      return std::nullopt;
    }
    case Fn::kStringToJson:
    case Fn::kJsonToString:
    case Fn::kArray:
    case Fn::kArrayContains:
    case Fn::kArrayLength:
    case Fn::kArrayUnique:
    case Fn::kBase64Encode:
    case Fn::kBase64Decode:
    case Fn::kMathRandom:
    case Fn::kMathAdd:
    case Fn::kStringSplit:
    case Fn::kUuid:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> CheckCall(const Call& call) {
  const Signature* signature = FindSignature(call.name);
  if (signature == nullptr) return "unknown function '" + call.name + "'";
  if (auto problem = CheckArgCount(*signature, call.args.size())) return problem;
  for (size_t i = 0; i < call.args.size(); ++i) {
    const Arg& arg = call.args[i];
    if (arg.kind == Arg::Kind::kCall) {
      if (auto problem = CheckCall(*arg.call)) return problem;
    }
    if (arg.kind == Arg::Kind::kPath) {
      if (auto problem = CheckPath(arg.text, false)) {
        return call.name + " argument " + std::to_string(i + 1) + ": " + *problem;
      }
    }
    if (auto problem = CheckArgType(call, *signature, i)) return problem;
  }
  if (auto problem = CheckLiteralValues(call, *signature)) return problem;
  // A call of literals only gives the same answer every run: a failure now is certain later.
  if (!HasPath(call)) {
    SeededRandom random(0);
    try {
      Evaluate(call, Scope{}, random);
    } catch (const StatesError& e) {
      return e.cause();
    }
  }
  return std::nullopt;
}

}  // namespace

const Signature* FindSignature(std::string_view name) {
  for (const Signature& signature : Table()) {
    if (signature.name == name) return &signature;
  }
  return nullptr;
}

Type ParamType(const Signature& signature, size_t index) {
  return index < signature.params.size() ? signature.params[index] : Type::kAny;
}

std::optional<std::string> CheckArgCount(const Signature& signature, size_t count) {
  if (count >= signature.min_args && count <= signature.max_args) return std::nullopt;
  return std::string(signature.name) + " takes " + ExpectedArgs(signature) + ", got " +
         std::to_string(count);
}

std::optional<std::string> Parse(std::string_view text, Call& out) {
  try {
    Parser(text).ParseWhole(out);
  } catch (const SyntaxError& e) {
    return e.message;
  }
  return std::nullopt;
}

Template SplitTemplate(std::string_view text, bool escaped) {
  Template out;
  out.pieces.emplace_back();
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (escaped && c == '\\' && i + 1 < text.size()) {
      out.pieces.back() += text[++i];
    } else if (c == '{' && i + 1 < text.size() && text[i + 1] == '}') {
      out.pieces.emplace_back();
      ++i;
    } else if (escaped && (c == '{' || c == '}')) {
      out.error = std::string("the template has a lone '") + c + "' at offset " +
                  std::to_string(i) + " (write \\" + c + " for a literal brace)";
      return out;
    } else {
      out.pieces.back() += c;
    }
  }
  return out;
}

std::string PlaceholderMismatch(size_t placeholders, size_t values) {
  return "the template has " + std::to_string(placeholders) +
         (placeholders == 1 ? " placeholder" : " placeholders") + " but " + std::to_string(values) +
         (values == 1 ? " value was given" : " values were given");
}

std::string DescribeType(Type type) {
  switch (type) {
    case Type::kAny:
      return "any value";
    case Type::kString:
      return "a string";
    case Type::kNumber:
      return "a number";
    case Type::kBoolean:
      return "a boolean";
    case Type::kArray:
      return "an array";
    case Type::kObject:
      return "an object";
  }
  return "any value";
}

std::string DescribeType(const Json& value) {
  if (value.is_string()) return "a string";
  if (value.is_number()) return "a number";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return "null";
}

}  // namespace intrinsic

bool LooksLikeIntrinsic(std::string_view text) { return text.starts_with(intrinsic::kPrefix); }

std::optional<std::string> CheckIntrinsic(std::string_view call) {
  intrinsic::Call parsed;
  if (auto problem = intrinsic::Parse(call, parsed)) {
    return "'" + std::string(call) + "' is not a valid intrinsic function call: " + *problem;
  }
  size_t calls = intrinsic::CountCalls(parsed);
  if (calls > intrinsic::kMaxCallsPerField) {
    return "at most " + std::to_string(intrinsic::kMaxCallsPerField) +
           " intrinsic functions may be nested in one field, found " + std::to_string(calls);
  }
  return intrinsic::CheckCall(parsed);
}

}  // namespace batchd::asl
