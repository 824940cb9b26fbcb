#pragma once
// One problem found in a definition, as AWS's ValidateStateMachineDefinition reports it:
// a code, a message and the JSON-pointer-like location of the field (e.g. "/States/Resize/Next").
#include <string>
#include <vector>

namespace batchd::asl {

struct Diagnostic {
  std::string code;      // SCHEMA_VALIDATION_FAILED, INVALID_JSON_DESCRIPTION, ...
  std::string message;   // what is wrong, naming the rule
  std::string location;  // "/States/Resize/Next"; "" for the whole document
  std::string severity = "ERROR";
};

using Diagnostics = std::vector<Diagnostic>;

// "location: message", the form batchctl and InvalidDefinition errors print.
inline std::string Describe(const Diagnostic& d) {
  return d.location.empty() ? d.message : d.location + ": " + d.message;
}

}  // namespace batchd::asl
