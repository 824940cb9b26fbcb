#include "agent/executor/container_runtime.h"

#include <filesystem>
#include <stdexcept>

#include "agent/executor/run_tool.h"
#include "api/text.h"

namespace batchd::agent {
namespace {

constexpr auto kInfoTimeout = std::chrono::seconds(20);

std::string LastLine(const std::string& output) {
  const std::string text = api::Trimmed(output);
  const size_t newline = text.rfind('\n');
  return newline == std::string::npos ? text : text.substr(newline + 1);
}

ContainerRuntime Describe(const std::string& name, const std::string& path,
                          const ContainerRuntimeSettings& settings) {
  ContainerRuntime runtime{name, path, {}};
  if (name != "podman") return runtime;
  // cgroupfs works on every cgroup layout without a systemd session; the file events backend
  // needs no journald.
  runtime.global_args = {"--cgroup-manager=cgroupfs", "--events-backend=file"};
  std::string oci = settings.oci_runtime;
  if (oci.empty() && !FindInPath("runc").empty()) oci = "runc";
  if (!oci.empty()) runtime.global_args.push_back("--runtime=" + oci);
  return runtime;
}

// Empty when the runtime answers; otherwise why not.
std::string Check(const ContainerRuntime& runtime) {
  const ToolResult info = RunTool(runtime.Command({"info"}), kInfoTimeout);
  if (info.exit_code == 0) return {};
  if (info.timed_out) return runtime.path + " info did not answer within 20 s";
  return runtime.path + " info failed: " + LastLine(info.output);
}

std::optional<ContainerRuntime> Try(const std::string& name,
                                    const ContainerRuntimeSettings& settings, std::string* why) {
  const std::string path = FindInPath(settings.path.empty() ? name : settings.path);
  if (path.empty()) {
    *why = (settings.path.empty() ? name : settings.path) + " not found";
    return std::nullopt;
  }
  ContainerRuntime runtime = Describe(name, path, settings);
  *why = Check(runtime);
  if (!why->empty()) return std::nullopt;
  return runtime;
}

}  // namespace

std::vector<std::string> ContainerRuntime::Command(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {path};
  argv.insert(argv.end(), global_args.begin(), global_args.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

RuntimeSearch FindContainerRuntime(const ContainerRuntimeSettings& settings) {
  RuntimeSearch search;
  if (settings.mode == "none") {
    search.note = "container runtime disabled (container_runtime: none)";
    return search;
  }
  if (settings.mode == "podman" || settings.mode == "docker") {
    std::string why;
    search.runtime = Try(settings.mode, settings, &why);
    if (!search.runtime) {
      throw std::runtime_error("container_runtime " + settings.mode + " is unusable: " + why);
    }
    search.note = "container runtime " + search.runtime->name + " at " + search.runtime->path;
    return search;
  }
  // auto: a configured path is of the kind its file name says.
  std::string podman_why, docker_why;
  const bool docker_path =
      std::filesystem::path(settings.path).filename().string().find("docker") != std::string::npos;
  if (!docker_path) search.runtime = Try("podman", settings, &podman_why);
  if (!search.runtime && (settings.path.empty() || docker_path)) {
    search.runtime = Try("docker", settings, &docker_why);
  }
  if (search.runtime) {
    search.note = "container runtime " + search.runtime->name + " at " + search.runtime->path;
  } else {
    search.note = "no container runtime: " + podman_why +
                  (podman_why.empty() || docker_why.empty() ? "" : "; ") + docker_why +
                  " (jobs with an image go elsewhere)";
  }
  return search;
}

}  // namespace batchd::agent
