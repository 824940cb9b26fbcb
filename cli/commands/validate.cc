// batchctl validate -f FILE: checks state machine definitions the way AWS's
// ValidateStateMachineDefinition does, without a server, so a mistake shows before apply.
#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/state_machine_documents.h"
#include "cli/yaml_json.h"
#include "core/asl/definition.h"

namespace batchd::cli {
namespace {

using Json = nlohmann::ordered_json;

struct Checked {
  StateMachineDefinition definition;
  asl::ParsedDefinition parsed;
};

bool IsError(const asl::Diagnostic& d) { return d.severity == "ERROR"; }

std::string Plural(size_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

std::string Skipped(const StateMachineFile& file) {
  return "skipped " +
         Plural(file.skipped_kinds.size(), "document of another kind", "documents of other kinds");
}

std::string Subject(const StateMachineDefinition& def) {
  return def.name.empty() ? def.file : "state machine \"" + def.name + "\"";
}

void PrintText(const std::vector<Checked>& checked, const StateMachineFile& file) {
  for (const Checked& c : checked) {
    const StateMachineDefinition& def = c.definition;
    const std::string prefix = def.name.empty() ? def.file : def.file + ": " + Subject(def);
    size_t warnings = 0;
    std::cout.flush();
    for (const asl::Diagnostic& d : c.parsed.diagnostics) {
      if (!IsError(d)) ++warnings;
      std::cerr << prefix << ": " << (IsError(d) ? "" : "warning: ") << asl::Describe(d) << '\n';
    }
    if (!c.parsed.machine) continue;
    std::cout << Subject(def) << ": OK ("
              << Plural(c.parsed.machine->states.size(), "state", "states");
    if (warnings > 0) std::cout << ", " << Plural(warnings, "warning", "warnings");
    std::cout << ")\n";
  }
  if (!file.skipped_kinds.empty()) std::cout << Skipped(file) << '\n';
}

// AWS's ValidateStateMachineDefinition response for the whole file; in a resource file each
// diagnostic also names its state machine.
Json Response(const std::vector<Checked>& checked, bool failed) {
  Json diagnostics = Json::array();
  for (const Checked& c : checked) {
    for (const asl::Diagnostic& d : c.parsed.diagnostics) {
      Json entry = {{"severity", d.severity},
                    {"code", d.code},
                    {"message", d.message},
                    {"location", d.location}};
      if (!c.definition.name.empty()) entry["stateMachine"] = c.definition.name;
      diagnostics.push_back(std::move(entry));
    }
  }
  return Json{{"result", failed ? "FAIL" : "OK"}, {"diagnostics", std::move(diagnostics)}};
}

int RunValidate(Context& ctx, const std::string& path) {
  StateMachineFile file = ReadStateMachineFile(path);
  if (file.definitions.empty()) {
    std::string message = (path == "-" ? "stdin" : path) + ": no state machine definition";
    if (!file.skipped_kinds.empty()) message += " (" + Skipped(file) + ")";
    throw CliError(message);
  }
  std::vector<Checked> checked;
  bool failed = false;
  for (StateMachineDefinition& def : file.definitions) {
    asl::ParsedDefinition parsed =
        def.text ? asl::ParseDefinition(*def.text) : asl::ParseDefinition(def.document);
    failed = failed || !parsed.machine;
    checked.push_back({std::move(def), std::move(parsed)});
  }
  switch (ctx.Format(OutputFormat::kTable)) {
    case OutputFormat::kTable:
      PrintText(checked, file);
      break;
    case OutputFormat::kJson:
      std::cout << Response(checked, failed).dump(2) << '\n';
      break;
    case OutputFormat::kYaml:
      std::cout << JsonToYaml(Response(checked, failed));
      break;
  }
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

void AddValidateCommand(CLI::App& app, Context& ctx) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "validate",
      "Check state machine definitions without a server: an .asl.json file, a definition "
      "written as YAML, or the StateMachine documents of a resource file");
  cmd->add_option("-f,--filename", *file, "File to check, or - for stdin")->required();
  OnSelected(cmd, ctx, [&ctx, file] { return RunValidate(ctx, *file); });
}

}  // namespace batchd::cli
