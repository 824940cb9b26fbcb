#include "cli/commands/command_util.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/errors.h"
#include "cli/output.h"

namespace batchd::cli {

bool PrintedAsData(Context& ctx, const google::protobuf::Message& message) {
  const OutputFormat format = ctx.Format(OutputFormat::kTable);
  if (format == OutputFormat::kTable) return false;
  PrintMessage(std::cout, message, format);
  return true;
}

void RequireResourceType(CLI::App* verb, Context& ctx, const std::string& types) {
  auto unknown = std::make_shared<std::vector<std::string>>();
  verb->add_option("TYPE", *unknown)->group("");  // hidden: only catches a wrong type
  // Runs after the chosen type's callback, which sets ctx.action.
  verb->callback([&ctx, verb, unknown, types] {
    if (ctx.action) return;
    const std::string name = verb->get_name();
    if (unknown->empty()) throw CliError(name + " needs a resource type: " + types, kExitUsage);
    throw CliError(
        "unknown resource type \"" + unknown->front() + "\" for " + name + "; expected " + types,
        kExitUsage);
  });
}

std::string ReadInput(const std::string& file) {
  std::ostringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CliError("cannot read " + file + ": " + std::strerror(errno));
  text << in.rdbuf();
  return text.str();
}

void Warn(const std::string& message) {
  std::cout.flush();
  std::cerr << "batchctl: warning: " << message << '\n';
}

}  // namespace batchd::cli
