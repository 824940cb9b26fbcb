#pragma once
// Small pieces the command files share.
#include <cstdlib>
#include <functional>
#include <iosfwd>
#include <string>

#include <google/protobuf/message.h>
#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace batchd::cli {

// CLI::PositiveNumber, but its error names the rule instead of printing the largest double.
inline const CLI::Validator& Positive() {
  static const CLI::Validator positive(
      [](std::string& value) -> std::string {
        char* end = nullptr;
        const double number = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || !(number > 0)) {
          return "Value " + value + " not in range: must be a number above 0";
        }
        return "";
      },
      "POSITIVE");
  return positive;
}

// Runs `action` after parsing if `cmd` was chosen; parse errors come first, so a bad flag
// anywhere never half-runs a command.
inline void OnSelected(CLI::App* cmd, Context& ctx, std::function<int()> action) {
  cmd->callback([&ctx, action = std::move(action)] { ctx.action = action; });
}

// For verbs that take a resource type (get, describe, delete): a missing or unknown type is
// a usage error that lists the types, rather than CLI11's "A subcommand is required".
void RequireResourceType(CLI::App* verb, Context& ctx, const std::string& types);

// The whole of FILE, or stdin for "-".
std::string ReadInput(const std::string& file);

// With -o json or yaml: prints `message` in that form and returns true. Without, false: the
// command prints its own table or text.
bool PrintedAsData(Context& ctx, const google::protobuf::Message& message);

// "warning: ..." on stderr, flushed after stdout so the two interleave in order.
void Warn(const std::string& message);

}  // namespace batchd::cli
