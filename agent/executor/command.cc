#include "agent/executor/command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "agent/executor/launch_error.h"

namespace batchd::agent {
namespace {

// execvp's search: the first executable regular file wins; a non-executable match is
// remembered so the failure says "Permission denied" rather than "not found".
std::string SearchPath(const std::string& name, const std::string& path_env,
                       const std::string& working_dir) {
  int error = ENOENT;
  size_t begin = 0;
  while (begin <= path_env.size()) {
    size_t end = path_env.find(':', begin);
    if (end == std::string::npos) end = path_env.size();
    std::string dir = path_env.substr(begin, end - begin);
    begin = end + 1;
    if (dir.empty()) dir = ".";
    if (dir.front() != '/') dir = working_dir + "/" + dir;
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    error = EACCES;
  }
  throw LaunchError(ExecFailureReason(name, error));
}

}  // namespace

JobCommand ResolveJobCommand(const batch::v1::ContainerDetail& container,
                             const std::string& path_env, const std::string& working_dir) {
  JobCommand command;
  if (container.command_size() > 0) {
    command.argv.assign(container.command().begin(), container.command().end());
  } else if (!container.script().empty()) {
    command.argv = {"/bin/sh", "-c", container.script()};
  } else {
    throw LaunchError(CannotStart("the job has neither a command nor a script to run"));
  }
  const std::string& name = command.argv.front();
  if (name.empty()) throw LaunchError(CannotStart("the job's command starts with an empty name"));
  command.executable =
      name.find('/') != std::string::npos ? name : SearchPath(name, path_env, working_dir);
  return command;
}

std::string ExecFailureReason(const std::string& argv0, int error) {
  return CannotStart("exec \"" + argv0 + "\": " + std::system_category().message(error));
}

}  // namespace batchd::agent
