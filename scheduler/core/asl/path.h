#pragma once
// JSONPath as the States Language uses it.
//
// - A *path* ("$.a.b", "$.items[*].id", "$..name", "$.list[?(@.n > 1)]", "$.l[1:3]") follows
//   Jayway JsonPath: wildcards, deep scan, slices, unions and filters yield an array.
// - A *reference path* names a single node: only "$", ".name", "['name']" and "[index]"
//   steps. ResultPath, Choice's Variable, the *Path operands and ItemsPath take these.
// - "$$" starts a path into the context object; "$name" (a letter after the "$") starts a
//   path into the variable "name" assigned by an earlier state's Assign.
#include <optional>
#include <string>
#include <string_view>

#include "core/asl/json.h"

namespace batchd::asl {

// Where a path's value comes from. `context` and `variables` may be null (absent).
struct Scope {
  const Json* input = nullptr;
  const Json* context = nullptr;
  const Json* variables = nullptr;  // an object: name -> value
};

// nullopt when `path` is well formed; otherwise the rule it breaks, e.g.
// "'$.a[' is not a valid JSONPath: unclosed '['". With `reference`, also refuses the
// steps a reference path may not have ("... is not a valid reference path: '*' selects many").
std::optional<std::string> CheckPath(std::string_view path, bool reference);

// The node(s) `path` selects. A definite path (every step a name or index) that reaches
// nothing is nullopt; an indefinite one yields an array (empty when nothing matched).
std::optional<Json> TrySelect(std::string_view path, const Scope& scope);

// TrySelect, throwing StatesError(States.Runtime, "Invalid path '<path>' : No results for
// path: $['a']") when nothing is there. (The cause follows AWS's wording.)
Json Select(std::string_view path, const Scope& scope);

// ResultPath: `result` placed into `input` at reference path `path` ("$" replaces the whole
// input), creating objects along the way. Throws StatesError(States.ResultPathMatchFailure)
// when a step runs into a value that is not an object (AWS: "Unable to apply ResultPath ...").
Json PlaceResult(Json input, std::string_view path, Json result);

}  // namespace batchd::asl
