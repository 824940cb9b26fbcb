#pragma once
// The parsed form of an intrinsic call and the table of functions, shared by the parser
// (intrinsics_parse.cc), the evaluator (intrinsics.cc) and the string functions
// (intrinsics_strings.cc). Internal to the intrinsics: other parts use intrinsics.h.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asl/json.h"
#include "core/asl/path.h"
#include "core/asl/random.h"

namespace batchd::asl::intrinsic {

struct Call;

struct Arg {
  enum class Kind { kString, kNumber, kBoolean, kNull, kPath, kCall };
  Kind kind = Kind::kNull;
  Json value;                        // kString: the decoded text; other literals: the value
  std::string text;                  // kString: the text between the quotes, escapes kept;
                                     // kPath: the path
  std::shared_ptr<const Call> call;  // kCall
};

struct Call {
  std::string name;  // "States.Format"
  std::vector<Arg> args;
};

enum class Fn {
  kFormat,
  kStringToJson,
  kJsonToString,
  kArray,
  kArrayPartition,
  kArrayContains,
  kArrayRange,
  kArrayGetItem,
  kArrayLength,
  kArrayUnique,
  kBase64Encode,
  kBase64Decode,
  kHash,
  kJsonMerge,
  kMathRandom,
  kMathAdd,
  kStringSplit,
  kUuid,
};

// What a parameter accepts or a function returns. kAny: anything (or not known statically).
enum class Type { kAny, kString, kNumber, kBoolean, kArray, kObject };

inline constexpr size_t kVariadic = std::numeric_limits<size_t>::max();

struct Signature {
  std::string_view name;
  Fn fn;
  size_t min_args;
  size_t max_args;           // kVariadic: no upper bound
  std::vector<Type> params;  // parameters past the end of the list accept kAny
  Type result;
};

// nullptr for a name that is not one of the intrinsic functions.
const Signature* FindSignature(std::string_view name);

// The type parameter `index` (0-based) of `signature` accepts.
Type ParamType(const Signature& signature, size_t index);

// "States.ArrayRange takes 3 arguments, got 2"; nullopt when `count` fits.
std::optional<std::string> CheckArgCount(const Signature& signature, size_t count);

// Parses a whole ".$" value. Returns the problem ("expected ')' at offset 13") on failure.
std::optional<std::string> Parse(std::string_view text, Call& out);

// A States.Format template cut at its "{}" placeholders: one more piece than placeholders.
// With `escaped`, `text` is a string literal's raw text, where \' \{ \} \\ are escapes and a
// brace that is not part of "{}" is an error; a template that came from a path or a nested
// call has no escapes and its other braces are plain text.
struct Template {
  std::vector<std::string> pieces;
  std::string error;  // non-empty when the template is malformed
};
Template SplitTemplate(std::string_view text, bool escaped);

// "the template has 2 placeholders but 1 value was given".
std::string PlaceholderMismatch(size_t placeholders, size_t values);

// A call being evaluated: its arguments are already resolved.
struct Invocation {
  const Call& call;
  const Signature& signature;
  std::vector<Json> args;
  Random& random;
};

// Throws the run-time error for a bad argument: "Invalid arguments in States.X: <rule>".
[[noreturn]] void Fail(const Invocation& invocation, const std::string& rule);

// Whether `value` is of the type a parameter accepts.
bool Matches(const Json& value, Type wanted);

// "a string", "an array", "null": how errors name a value's type.
std::string DescribeType(const Json& value);
std::string DescribeType(Type type);

// Evaluates a parsed call; EvaluateIntrinsic parses then calls this.
Json Evaluate(const Call& call, const Scope& scope, Random& random);

// The string functions (intrinsics_strings.cc).
Json StatesFormat(const Invocation& invocation);
Json StatesStringToJson(const Invocation& invocation);
Json StatesJsonToString(const Invocation& invocation);
Json StatesBase64Encode(const Invocation& invocation);
Json StatesBase64Decode(const Invocation& invocation);
Json StatesHash(const Invocation& invocation);
Json StatesStringSplit(const Invocation& invocation);
Json StatesUuid(const Invocation& invocation);

// The algorithms States.Hash accepts, by AWS's names.
bool IsHashAlgorithm(std::string_view name);

}  // namespace batchd::asl::intrinsic
