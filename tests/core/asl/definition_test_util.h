#pragma once
// Helpers shared by the definition tests: diagnostics as comparable lines, and tables of
// definitions that must be refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/asl/definition.h"

namespace batchd::asl::testing {

inline constexpr const char* kSchema = "SCHEMA_VALIDATION_FAILED";
inline constexpr const char* kTarget = "MISSING_TRANSITION_TARGET";
inline constexpr const char* kDuplicate = "DUPLICATE_STATE_NAME";
inline constexpr const char* kNoEnd = "MISSING_END_STATE";
inline constexpr const char* kNotJson = "INVALID_JSON_DESCRIPTION";

// One diagnostic as a line, so a mismatch prints readably.
inline std::string Line(const std::string& code, const std::string& location, const std::string& message) {
  return code + " | " + location + " | " + message;
}

inline std::vector<std::string> Lines(const Diagnostics& diagnostics) {
  std::vector<std::string> lines;
  for (const Diagnostic& d : diagnostics) {
    EXPECT_EQ(d.severity, "ERROR");
    lines.push_back(Line(d.code, d.location, d.message));
  }
  return lines;
}

// A definition starting at "A" with the given States object.
inline std::string WithStates(const std::string& states) {
  return R"({"StartAt": "A", "States": )" + states + "}";
}

inline const std::string kResources =
    "batchd runs arn:aws:states:::batch:submitJob[.sync], "
    "arn:aws:states:::states:startExecution[.sync|.sync:2], "
    "arn:aws:states:::batchd:task.waitForTaskToken and activities "
    "(arn:<partition>:states:<region>:<account>:activity:<name>)";

struct InvalidCase {
  const char* name;
  std::string definition;
  std::vector<std::string> diagnostics;
};

inline void ExpectDiagnostics(const std::vector<InvalidCase>& cases) {
  for (const InvalidCase& c : cases) {
    ParsedDefinition parsed = ParseDefinition(c.definition);
    EXPECT_EQ(parsed.machine, nullptr) << c.name;
    EXPECT_EQ(Lines(parsed.diagnostics), c.diagnostics) << c.name << "\n" << c.definition;
  }
}


}  // namespace batchd::asl::testing
