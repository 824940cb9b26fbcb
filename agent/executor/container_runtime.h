#pragma once
// The container runtime the agent runs image jobs with: podman (daemonless, preferred) or the
// docker CLI. Found at start; a runtime counts only when it answers (`info` succeeds), since a
// docker CLI without a daemon, or a podman that cannot reach its storage, runs nothing.
#include <optional>
#include <string>
#include <vector>

namespace batchd::agent {

struct ContainerRuntime {
  std::string name;  // "podman" or "docker": what the agent advertises
  std::string path;  // the CLI's absolute path
  // Global options before the subcommand (podman: cgroup manager, events backend, OCI
  // runtime), so that every call sees the same engine settings.
  std::vector<std::string> global_args;

  // path, global_args, then `args`.
  std::vector<std::string> Command(const std::vector<std::string>& args) const;
  bool is_podman() const { return name == "podman"; }
};

struct ContainerRuntimeSettings {
  std::string mode = "auto";  // auto | podman | docker | none
  std::string path;           // the CLI to use; empty = looked up in PATH
  // podman's OCI runtime (--runtime); empty = runc when installed, else podman's default.
  std::string oci_runtime;
};

struct RuntimeSearch {
  std::optional<ContainerRuntime> runtime;
  std::string note;  // why none was found, or which was; for the agent's log
};

// auto: podman if it works, else docker if it works, else none. podman/docker: that one,
// which must work (throws std::runtime_error saying why not). none: none.
RuntimeSearch FindContainerRuntime(const ContainerRuntimeSettings& settings);

}  // namespace batchd::agent
