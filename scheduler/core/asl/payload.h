#pragma once
// Payload templates: Parameters, ItemSelector, ResultSelector, Assign and a Catcher's
// Assign. A key ending in ".$" takes its value from a path ("$.x", "$$.Execution.Id",
// "$var.y") or an intrinsic function ("States.Format('{}', $.x)"), and loses the ".$";
// other values are copied, nested objects and arrays resolved in turn.
#include <string>

#include "core/asl/diagnostic.h"
#include "core/asl/json.h"
#include "core/asl/path.h"
#include "core/asl/random.h"

namespace batchd::asl {

// Throws StatesError(States.Runtime) for a path that selects nothing, with AWS's cause:
// "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{...}'";
// intrinsic failures are States.IntrinsicFailure (or States.Runtime where AWS says so).
Json ResolvePayload(const Json& payload_template, const Scope& scope, Random& random);

// Static checks of a template at `location` (e.g. "/States/A/Parameters"): a ".$" value must be
// a string holding a valid path or intrinsic call. Problems are appended to `out`.
void CheckPayload(const Json& payload_template, const std::string& location, Diagnostics& out);

}  // namespace batchd::asl
