// Evaluating intrinsic calls, and the array, JSON-object and math functions.
#include "core/asl/intrinsics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>

#include "core/asl/intrinsic_call.h"
#include "core/asl/states_error.h"

namespace batchd::asl {
namespace intrinsic {
namespace {

// The error every bad argument raises: States.IntrinsicFailure, as intrinsics.h specifies, so
// a Catch can handle it. Third-party recordings of real executions show AWS raising
// States.Runtime (which no Catch handles) with the same "Invalid arguments in States.X" cause;
// this is the one place to change to follow AWS there.
constexpr const char* kArgumentError = errors::kIntrinsicFailure;

// AWS's limit (developer guide, States.ArrayRange).
constexpr uint64_t kMaxRangeItems = 1000;

// Where AWS wants an integer (array index, chunk size, range and random bounds) it truncates
// a fraction toward zero, as Java's intValue() does; observed on AWS: ArrayGetItem of
// [10, 20, 30] at 1.2 gives 20, ArrayPartition by 2.6 makes chunks of 2, MathRandom(1.6, 5.4)
// can give 1. Values beyond 64 bits saturate.
int64_t Truncate(const Json& number) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (number.is_number_unsigned()) {
    uint64_t value = number.get<uint64_t>();
    return value > static_cast<uint64_t>(kMax) ? kMax : static_cast<int64_t>(value);
  }
  if (number.is_number_integer()) return number.get<int64_t>();
  double value = std::trunc(number.get<double>());
  const double two_to_63 = std::ldexp(1.0, 63);
  if (value >= two_to_63) return kMax;
  if (value < -two_to_63) return kMin;
  return static_cast<int64_t>(value);
}

// Java's Math.round, which AWS applies to States.MathAdd's arguments (recorded): ties go
// toward +infinity, so 2.5 -> 3 and -1.5 -> -1, unlike C's round().
int64_t RoundHalfUp(const Json& number) {
  if (!number.is_number_float()) return Truncate(number);
  double value = number.get<double>();
  double floor = std::floor(value);
  return Truncate(Json(value - floor >= 0.5 ? floor + 1 : floor));
}

// A two's-complement sum: extreme inputs wrap instead of being undefined behaviour.
int64_t Add(int64_t a, uint64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + b); }

Json StatesArray(const Invocation& invocation) {
  Json out = Json::array();
  for (const Json& value : invocation.args) out.push_back(value);
  return out;
}

Json StatesArrayPartition(const Invocation& invocation) {
  const Json& array = invocation.args[0];
  int64_t size = Truncate(invocation.args[1]);
  if (size < 1) {
    Fail(invocation,
         "the chunk size must be a positive integer, got " + Compact(invocation.args[1]));
  }
  uint64_t chunk = static_cast<uint64_t>(size);
  Json out = Json::array();
  for (uint64_t begin = 0; begin < array.size(); begin += chunk) {
    uint64_t end = std::min<uint64_t>(array.size(), begin + chunk);
    Json part = Json::array();
    for (uint64_t i = begin; i < end; ++i) part.push_back(array[i]);
    out.push_back(std::move(part));
  }
  return out;
}

// Equality is JSON equality with object keys compared in order (AWS returns false for
// {"a":1,"b":2} against {"b":2,"a":1}; recorded by a third-party conformance suite).
Json StatesArrayContains(const Invocation& invocation) {
  const Json& array = invocation.args[0];
  return std::find(array.begin(), array.end(), invocation.args[1]) != array.end();
}

Json StatesArrayRange(const Invocation& invocation) {
  int64_t first = Truncate(invocation.args[0]);
  int64_t last = Truncate(invocation.args[1]);
  int64_t step = Truncate(invocation.args[2]);
  if (step == 0) Fail(invocation, "the step must not be 0");
  // Distances in unsigned arithmetic: exact for any pair of 64-bit bounds.
  uint64_t distance = 0;
  uint64_t stride = 0;
  bool empty = step > 0 ? first > last : first < last;
  if (step > 0) {
    distance = static_cast<uint64_t>(last) - static_cast<uint64_t>(first);
    stride = static_cast<uint64_t>(step);
  } else {
    distance = static_cast<uint64_t>(first) - static_cast<uint64_t>(last);
    stride = static_cast<uint64_t>(-(step + 1)) + 1;
  }
  Json out = Json::array();
  if (empty) return out;
  uint64_t steps = distance / stride;
  if (steps >= kMaxRangeItems) {
    Fail(invocation,
         "the range would have more than " + std::to_string(kMaxRangeItems) + " elements");
  }
  for (uint64_t i = 0; i <= steps; ++i) {
    out.push_back(Add(first, i * static_cast<uint64_t>(step)));
  }
  return out;
}

Json StatesArrayGetItem(const Invocation& invocation) {
  const Json& array = invocation.args[0];
  int64_t index = Truncate(invocation.args[1]);
  if (index < 0 || static_cast<uint64_t>(index) >= array.size()) {
    Fail(invocation, "index " + std::to_string(index) + " is out of bounds for an array of " +
                         std::to_string(array.size()) + " elements");
  }
  return array[static_cast<size_t>(index)];
}

Json StatesArrayLength(const Invocation& invocation) { return invocation.args[0].size(); }

// Keeps the first of equal elements, in their original order.
Json StatesArrayUnique(const Invocation& invocation) {
  Json out = Json::array();
  std::set<Json> seen;
  for (const Json& value : invocation.args[0]) {
    if (seen.insert(value).second) out.push_back(value);
  }
  return out;
}

// Shallow: the second object's keys replace the first's in place, new keys go last.
Json StatesJsonMerge(const Invocation& invocation) {
  if (invocation.args[2].get<bool>()) {
    Fail(invocation, "only shallow merging is supported: the third argument must be false");
  }
  Json out = invocation.args[0];
  const Json& overrides = invocation.args[1];
  for (auto it = overrides.begin(); it != overrides.end(); ++it) out[it.key()] = it.value();
  return out;
}

// The end is exclusive, as observed on AWS (MathRandom(1, 1) fails).
Json StatesMathRandom(const Invocation& invocation) {
  int64_t start = Truncate(invocation.args[0]);
  int64_t end = Truncate(invocation.args[1]);
  if (start >= end) {
    Fail(invocation, "the start (" + std::to_string(start) + ") must be less than the end (" +
                         std::to_string(end) + ")");
  }
  uint64_t span = static_cast<uint64_t>(end) - static_cast<uint64_t>(start);
  auto draw = [&](Random& random) { return Add(start, random.Next() % span); };
  if (invocation.args.size() == 3) {
    SeededRandom seeded(static_cast<uint64_t>(Truncate(invocation.args[2])));
    return draw(seeded);
  }
  return draw(invocation.random);
}

Json StatesMathAdd(const Invocation& invocation) {
  int64_t a = RoundHalfUp(invocation.args[0]);
  int64_t b = RoundHalfUp(invocation.args[1]);
  return Add(a, static_cast<uint64_t>(b));
}

Json Resolve(const Arg& arg, const Scope& scope, Random& random) {
  switch (arg.kind) {
    case Arg::Kind::kString:
    case Arg::Kind::kNumber:
    case Arg::Kind::kBoolean:
    case Arg::Kind::kNull:
      return arg.value;
    case Arg::Kind::kPath:
      return Select(arg.text, scope);
    case Arg::Kind::kCall:
      return Evaluate(*arg.call, scope, random);
  }
  throw std::logic_error("unhandled intrinsic argument kind");
}

Json Dispatch(const Invocation& invocation) {
  switch (invocation.signature.fn) {
    case Fn::kFormat:
      return StatesFormat(invocation);
    case Fn::kStringToJson:
      return StatesStringToJson(invocation);
    case Fn::kJsonToString:
      return StatesJsonToString(invocation);
    case Fn::kArray:
      return StatesArray(invocation);
    case Fn::kArrayPartition:
      return StatesArrayPartition(invocation);
    case Fn::kArrayContains:
      return StatesArrayContains(invocation);
    case Fn::kArrayRange:
      return StatesArrayRange(invocation);
    case Fn::kArrayGetItem:
      return StatesArrayGetItem(invocation);
    case Fn::kArrayLength:
      return StatesArrayLength(invocation);
    case Fn::kArrayUnique:
      return StatesArrayUnique(invocation);
    case Fn::kBase64Encode:
      return StatesBase64Encode(invocation);
    case Fn::kBase64Decode:
      return StatesBase64Decode(invocation);
    case Fn::kHash:
      return StatesHash(invocation);
    case Fn::kJsonMerge:
      return StatesJsonMerge(invocation);
    case Fn::kMathRandom:
      return StatesMathRandom(invocation);
    case Fn::kMathAdd:
      return StatesMathAdd(invocation);
    case Fn::kStringSplit:
      return StatesStringSplit(invocation);
    case Fn::kUuid:
      return StatesUuid(invocation);
  }
  throw std::logic_error("unhandled intrinsic function");
}

}  // namespace

bool Matches(const Json& value, Type wanted) {
  switch (wanted) {
    case Type::kAny:
      return true;
    case Type::kString:
      return value.is_string();
    case Type::kNumber:
      return value.is_number();
    case Type::kBoolean:
      return value.is_boolean();
    case Type::kArray:
      return value.is_array();
    case Type::kObject:
      return value.is_object();
  }
  return false;
}

[[noreturn]] void Fail(const Invocation& invocation, const std::string& rule) {
  throw StatesError(kArgumentError, "Invalid arguments in " + invocation.call.name + ": " + rule);
}

Json Evaluate(const Call& call, const Scope& scope, Random& random) {
  const Signature* signature = FindSignature(call.name);
  if (signature == nullptr) {
    throw StatesError(kArgumentError, "unknown function '" + call.name + "'");
  }
  Invocation invocation{call, *signature, {}, random};
  if (auto problem = CheckArgCount(*signature, call.args.size())) {
    // "States.X takes 3 arguments, got 2" without the name the cause already gives.
    Fail(invocation, problem->substr(call.name.size() + 1));
  }
  invocation.args.reserve(call.args.size());
  for (const Arg& arg : call.args) invocation.args.push_back(Resolve(arg, scope, random));
  for (size_t i = 0; i < invocation.args.size(); ++i) {
    Type wanted = ParamType(*signature, i);
    if (!Matches(invocation.args[i], wanted)) {
      Fail(invocation, "argument " + std::to_string(i + 1) + " must be " + DescribeType(wanted) +
                           ", got " + DescribeType(invocation.args[i]));
    }
  }
  return Dispatch(invocation);
}

}  // namespace intrinsic

Json EvaluateIntrinsic(std::string_view call, const Scope& scope, Random& random) {
  intrinsic::Call parsed;
  if (auto problem = intrinsic::Parse(call, parsed)) {
    throw StatesError(
        intrinsic::kArgumentError,
        "'" + std::string(call) + "' is not a valid intrinsic function call: " + *problem);
  }
  return intrinsic::Evaluate(parsed, scope, random);
}

}  // namespace batchd::asl
