#include "cli/state_machine_documents.h"

#include <map>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "api/api_error.h"
#include "api/states_names.h"
#include "cli/commands/command_util.h"
#include "cli/errors.h"
#include "cli/yaml_documents.h"
#include "cli/yaml_json.h"

namespace batchd::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr char kKinds[] =
    "StateMachine, Activity, ComputeEnvironment, JobQueue, JobDefinition or Schedule";

int LineOf(const YAML::Node& node, int fallback) {
  return node.Mark().is_null() ? fallback : node.Mark().line + 1;
}

[[noreturn]] void Fail(const std::string& source, int line, const std::string& message) {
  throw CliError(source + ":" + std::to_string(line) + ": " + message);
}

// JSON is also YAML, but read as JSON text it keeps the checks only the text shows.
bool IsJsonText(const std::string& text, const fs::path& path) {
  if (path.extension() == ".json") return true;
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && text[first] == '{' && Json::accept(text);
}

std::vector<YAML::Node> LoadYaml(const std::string& text, const std::string& source) {
  try {
    return YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    Fail(source, e.mark.is_null() ? 1 : e.mark.line + 1, "YAML syntax error: " + e.msg);
  }
}

Json ToJson(const YAML::Node& node, const std::string& source) {
  try {
    return YamlToJson(node);
  } catch (const YamlJsonError& e) {
    Fail(source, e.line(), e.what());
  }
}

YAML::Node Member(const YAML::Node& map, std::string_view key) {
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// A definitionFile: JSON text, or one YAML document.
void ReadDefinitionFile(const fs::path& path, StateMachineDefinition* def) {
  def->file = path.string();
  std::string text = ReadInput(def->file);
  if (IsJsonText(text, path)) {
    def->text = std::move(text);
    return;
  }
  std::vector<YAML::Node> roots = LoadYaml(text, def->file);
  std::erase_if(roots, [](const YAML::Node& root) { return root.IsNull(); });
  if (roots.size() != 1) {
    throw CliError(def->file + ": expected one state machine definition, found " +
                   std::to_string(roots.size()) + " YAML documents");
  }
  def->document = ToJson(roots.front(), def->file);
}

StateMachineDefinition ReadStateMachine(const YAML::Node& root, const std::string& source,
                                        const fs::path& base_dir, int line) {
  const YAML::Node name = Member(root, "name");
  if (!name.IsDefined() || !name.IsScalar() || name.Scalar().empty()) {
    Fail(source, line, "StateMachine: missing \"name\"");
  }
  try {
    // The name batchd would refuse at apply time is a mistake in this file too.
    api::CheckStatesName("name", name.Scalar());
  } catch (const api::ApiError& e) {
    Fail(source, LineOf(name, line), std::string("StateMachine: ") + e.what());
  }
  StateMachineDefinition def{.file = source, .name = name.Scalar(), .text = {}, .document = {}};
  const std::string what = "StateMachine \"" + def.name + "\": ";
  const YAML::Node inline_definition = Member(root, "definition");
  const YAML::Node definition_file = Member(root, "definitionFile");
  if (inline_definition.IsDefined() == definition_file.IsDefined()) {
    Fail(source, line,
         what +
             "give exactly one of \"definition\" (the States Language, as YAML or a JSON "
             "string) and \"definitionFile\" (a path relative to this file)");
  }
  if (definition_file.IsDefined()) {
    if (!definition_file.IsScalar() || definition_file.Scalar().empty()) {
      Fail(source, LineOf(definition_file, line), what + "\"definitionFile\" must be a path");
    }
    try {
      ReadDefinitionFile(base_dir / definition_file.Scalar(), &def);
    } catch (const CliError& e) {
      Fail(source, LineOf(definition_file, line), what + e.what());
    }
    return def;
  }
  if (inline_definition.IsMap()) {
    def.document = ToJson(inline_definition, source);
  } else if (inline_definition.IsScalar()) {
    def.text = inline_definition.Scalar();
  } else {
    Fail(source, LineOf(inline_definition, line),
         what + "\"definition\" must be a mapping (the definition as YAML) or a string (its JSON)");
  }
  return def;
}

}  // namespace

StateMachineFile ParseStateMachineFile(const std::string& text, const std::string& source,
                                       const fs::path& base_dir) {
  StateMachineFile file;
  if (IsJsonText(text, source)) {
    file.definitions.push_back({.file = source, .name = "", .text = text, .document = {}});
    return file;
  }
  std::map<std::string, int> seen;
  for (const YAML::Node& root : LoadYaml(text, source)) {
    if (root.IsNull()) continue;  // an empty document, e.g. after a trailing "---"
    const int line = LineOf(root, 1);
    const YAML::Node kind = root.IsMap() ? Member(root, "kind") : YAML::Node();
    if (!kind.IsDefined()) {
      // Not a resource: the document is a definition itself, checked as the States Language.
      file.definitions.push_back(
          {.file = source, .name = "", .text = {}, .document = ToJson(root, source)});
      continue;
    }
    const std::string kind_text = kind.IsScalar() ? kind.Scalar() : "";
    const auto parsed_kind = ParseResourceKind(kind_text);
    if (!parsed_kind) {
      Fail(source, LineOf(kind, line),
           "unknown kind \"" + kind_text + "\" (expected " + kKinds + ")");
    }
    if (*parsed_kind != ResourceKind::kStateMachine) {
      file.skipped_kinds.emplace_back(KindName(*parsed_kind));
      continue;
    }
    StateMachineDefinition def = ReadStateMachine(root, source, base_dir, line);
    if (auto [it, fresh] = seen.emplace(def.name, line); !fresh) {
      Fail(source, line,
           "StateMachine \"" + def.name + "\" is already defined at line " +
               std::to_string(it->second));
    }
    file.definitions.push_back(std::move(def));
  }
  return file;
}

StateMachineFile ReadStateMachineFile(const std::string& file) {
  if (file == "-") return ParseStateMachineFile(ReadInput(file), "stdin", fs::path());
  return ParseStateMachineFile(ReadInput(file), file, fs::path(file).parent_path());
}

}  // namespace batchd::cli
