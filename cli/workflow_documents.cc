#include "cli/workflow_documents.h"

#include <filesystem>
#include <map>
#include <set>

#include "api/api_error.h"
#include "api/states_names.h"
#include "cli/errors.h"
#include "cli/state_machine_documents.h"
#include "cli/yaml_documents.h"
#include "core/asl/definition.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;

int LineOf(const YAML::Node& node, int fallback) {
  return node.Mark().is_null() ? fallback : node.Mark().line + 1;
}

[[noreturn]] void Fail(const std::string& source, int line, const std::string& message) {
  throw CliError(source + ":" + std::to_string(line) + ": " + message);
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

// The document's fields by name, refusing any this kind does not have: a misspelt field
// must not be silently dropped.
std::map<std::string, YAML::Node> Fields(const YAML::Node& root, const std::string& source,
                                         const std::string& kind,
                                         const std::set<std::string>& known) {
  std::map<std::string, YAML::Node> fields;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (!known.contains(key)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      Fail(source, LineOf(kv.first, 1),
           kind + ": unknown field " + Quoted(key) + " (expected " + list + ")");
    }
    fields[key] = kv.second;
  }
  return fields;
}

std::string Scalar(const std::map<std::string, YAML::Node>& fields, const std::string& key,
                   const std::string& source, const std::string& what, int line) {
  auto it = fields.find(key);
  if (it == fields.end()) return "";
  if (!it->second.IsScalar()) {
    Fail(source, LineOf(it->second, line), what + ": " + key + ": expected a string");
  }
  return it->second.Scalar();
}

std::string Name(const std::map<std::string, YAML::Node>& fields, const std::string& source,
                 const std::string& kind, int line) {
  const std::string name = Scalar(fields, "name", source, kind, line);
  try {
    api::CheckStatesName("name", name);
  } catch (const api::ApiError& e) {
    auto it = fields.find("name");
    Fail(source, it == fields.end() ? line : LineOf(it->second, line), kind + ": " + e.what());
  }
  return name;
}

// tags: {team: data} or [{key: team, value: data}].
template <typename Request>
void ReadTags(const std::map<std::string, YAML::Node>& fields, const std::string& source,
              const std::string& what, int line, Request* req) {
  auto it = fields.find("tags");
  if (it == fields.end()) return;
  const YAML::Node& tags = it->second;
  const int at = LineOf(tags, line);
  if (tags.IsMap()) {
    for (const auto& kv : tags) {
      if (!kv.second.IsScalar())
        Fail(source, LineOf(kv.second, at),
             what + ": tags: " + Quoted(kv.first.Scalar()) + ": expected a string value");
      auto* tag = req->add_tags();
      tag->set_key(kv.first.Scalar());
      tag->set_value(kv.second.Scalar());
    }
    return;
  }
  if (!tags.IsSequence()) {
    Fail(source, at, what + ": tags: expected a mapping (key: value) or a list of {key, value}");
  }
  for (const auto& entry : tags) {
    const YAML::Node key = entry.IsMap() ? entry["key"] : YAML::Node();
    const YAML::Node value = entry.IsMap() ? entry["value"] : YAML::Node();
    if (!key.IsDefined() || !key.IsScalar() || (value.IsDefined() && !value.IsScalar())) {
      Fail(source, LineOf(entry, at), what + ": tags: each entry needs \"key\" and \"value\"");
    }
    auto* tag = req->add_tags();
    tag->set_key(key.Scalar());
    if (value.IsDefined()) tag->set_value(value.Scalar());
  }
}

std::string DefinitionErrors(const asl::Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    if (d.severity == "ERROR") out += "\n  " + asl::Describe(d);
  }
  return out;
}

}  // namespace

CreateStateMachineRequest ReadStateMachineDocument(const YAML::Node& root,
                                                   const std::string& source, int line) {
  const auto fields = Fields(
      root, source, "StateMachine",
      {"kind", "name", "definition", "definitionFile", "description", "roleArn", "type", "tags"});
  CreateStateMachineRequest req;
  req.set_name(Name(fields, source, "StateMachine", line));
  const std::string what = "StateMachine " + Quoted(req.name());
  req.set_description(Scalar(fields, "description", source, what, line));
  req.set_role_arn(Scalar(fields, "roleArn", source, what, line));
  if (const std::string type = Scalar(fields, "type", source, what, line); !type.empty()) {
    StateMachineType::Value value;
    if (!StateMachineType::Value_Parse(type, &value) ||
        value == StateMachineType::STATE_MACHINE_TYPE_UNSPECIFIED) {
      Fail(source, LineOf(fields.at("type"), line),
           what + ": type: expected STANDARD or EXPRESS, got " + Quoted(type));
    }
    req.set_type(value);
  }
  ReadTags(fields, source, what, line, &req);
  return req;
}

CreateActivityRequest ReadActivityDocument(const YAML::Node& root, const std::string& source,
                                           int line) {
  const auto fields = Fields(root, source, "Activity", {"kind", "name", "tags"});
  CreateActivityRequest req;
  req.set_name(Name(fields, source, "Activity", line));
  ReadTags(fields, source, "Activity " + Quoted(req.name()), line, &req);
  return req;
}

void AddDefinitions(const std::string& text, const std::string& source,
                    std::vector<ResourceDocument>* docs) {
  bool any = false;
  for (const auto& doc : *docs) any = any || doc.kind == ResourceKind::kStateMachine;
  if (!any) return;
  const std::filesystem::path base =
      source == "stdin" ? std::filesystem::path() : std::filesystem::path(source).parent_path();
  const StateMachineFile file = ParseStateMachineFile(text, source, base);
  for (auto& doc : *docs) {
    if (doc.kind != ResourceKind::kStateMachine) continue;
    auto& req = std::get<CreateStateMachineRequest>(doc.request);
    const StateMachineDefinition* found = nullptr;
    for (const auto& def : file.definitions) {
      if (def.name == req.name()) found = &def;
    }
    if (!found) Fail(source, doc.line, "StateMachine " + Quoted(req.name()) + ": no definition");
    // YAML arrives converted; written out indented, it reads well in `describe`.
    req.set_definition(found->text ? *found->text : found->document.dump(2));
    const asl::ParsedDefinition parsed = asl::ParseDefinition(req.definition());
    if (!parsed.machine) {
      Fail(source, doc.line,
           "StateMachine " + Quoted(req.name()) + ": invalid definition (in " + found->file +
               "):" + DefinitionErrors(parsed.diagnostics));
    }
  }
}

}  // namespace batchd::cli
