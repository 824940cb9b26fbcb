#pragma once
// The intrinsic functions: States.Format, StringToJson, JsonToString, Array, ArrayPartition,
// ArrayContains, ArrayRange, ArrayGetItem, ArrayLength, ArrayUnique, Base64Encode,
// Base64Decode, Hash, JsonMerge, MathRandom, MathAdd, StringSplit, UUID. Arguments are string
// literals in single quotes (with \' \{ \} \\ escapes), numbers, true/false/null, paths
// ($.x, $$.y, $var) and nested calls.
#include <optional>
#include <string>
#include <string_view>

#include "core/asl/json.h"
#include "core/asl/path.h"
#include "core/asl/random.h"

namespace batchd::asl {

// Whether a ".$" value is meant as an intrinsic call rather than a path.
bool LooksLikeIntrinsic(std::string_view text);

// nullopt when `call` parses and names known functions with a valid number of arguments;
// otherwise the problem, e.g. "unknown function 'States.Fromat'" or
// "States.ArrayRange takes 3 arguments, got 2".
std::optional<std::string> CheckIntrinsic(std::string_view call);

// Evaluates `call`. Bad argument types or values throw
// StatesError(States.IntrinsicFailure, <AWS-like cause>); a path argument that selects nothing
// throws StatesError(States.Runtime).
Json EvaluateIntrinsic(std::string_view call, const Scope& scope, Random& random);

}  // namespace batchd::asl
