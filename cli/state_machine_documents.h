#pragma once
// State machine definitions as batchctl reads them from a file: a definition on its own (JSON,
// usually NAME.asl.json, or the same written as YAML), or a resource file like `apply -f`
// takes where documents of `kind: StateMachine` carry a `name:` and either `definition:` (the
// States Language inline, as YAML or as a JSON string) or `definitionFile:` (a path relative
// to the resource file).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace batchd::cli {

struct StateMachineDefinition {
  std::string file;  // where the definition itself was read: messages name it
  std::string name;  // the StateMachine's name; empty for a definition file on its own
  // JSON text is kept as text: parsing it as text reports its syntax errors and repeated state
  // names as AWS does. A definition written in YAML arrives converted, in `document`.
  std::optional<std::string> text;
  nlohmann::ordered_json document;
};

struct StateMachineFile {
  std::vector<StateMachineDefinition> definitions;  // in file order
  std::vector<std::string> skipped_kinds;  // each other resource document's kind, in file order
};

// FILE, or stdin for "-" (named "stdin"; its definitionFiles are relative to the working
// directory). Throws CliError "SOURCE:LINE: message" for what is not a definition to check: a
// file that cannot be read, YAML syntax, an unknown kind, a StateMachine without a name or a
// definition, the same name twice, YAML with no JSON form.
StateMachineFile ReadStateMachineFile(const std::string& file);

// The same, for `text` already read from `source`; definitionFiles are relative to `base_dir`.
StateMachineFile ParseStateMachineFile(const std::string& text, const std::string& source,
                                       const std::filesystem::path& base_dir);

}  // namespace batchd::cli
