#pragma once
// Volumes a job mounts (ContainerDetail.volumes + mount_points), resolved in the agent before
// fork: the host paths are checked against the allowed roots here; the child only mounts.
#include <filesystem>
#include <string>
#include <vector>

#include "batch/v1/types.pb.h"

namespace batchd::agent {

struct BindMount {
  std::string source;  // canonical host path
  std::string target;  // the mount point's container_path, on this machine
  bool read_only = false;
  // MS_NOSUID/MS_NODEV/MS_NOEXEC/... of the source's mount: a read-only remount must keep
  // them or the kernel refuses it.
  unsigned long kept_flags = 0;
};

// One BindMount per mount point, in order. A volume without host.source_path gets a scratch
// directory inside the attempt dir (created here). Throws LaunchError naming the path and the
// rule when a host path is outside `allowed_roots` and the attempt dir, does not exist, or a
// mount point is not an existing absolute path or names an undefined volume.
std::vector<BindMount> ResolveBindMounts(const batch::v1::ContainerDetail& container,
                                         const std::filesystem::path& attempt_dir,
                                         const std::vector<std::filesystem::path>& allowed_roots);

// The same checks for a container: the container path need not exist on this machine (it is
// inside the image), and paths with a comma are refused.
std::vector<BindMount> ResolveContainerMounts(
    const batch::v1::ContainerDetail& container, const std::filesystem::path& attempt_dir,
    const std::vector<std::filesystem::path>& allowed_roots);

// Whether `path` is `root` or lies below it (both canonical).
bool IsUnder(const std::filesystem::path& path, const std::filesystem::path& root);

}  // namespace batchd::agent
