#include "agent/executor/mounts.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include "agent/executor/launch_error.h"

namespace batchd::agent {
namespace {

namespace fs = std::filesystem;

const batch::v1::Volume* FindVolume(const batch::v1::ContainerDetail& container,
                                    const std::string& name) {
  for (const auto& volume : container.volumes()) {
    if (volume.name() == name) return &volume;
  }
  return nullptr;
}

std::string DescribeRoots(const std::vector<fs::path>& roots) {
  if (roots.empty()) return "none configured";
  std::string text;
  for (const auto& root : roots) text += (text.empty() ? "" : ", ") + root.string();
  return text;
}

unsigned long FlagsToKeep(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

fs::path HostSource(const batch::v1::Volume& volume, const fs::path& attempt_dir,
                    const std::vector<fs::path>& allowed_roots) {
  const std::string& wanted = volume.host().source_path();
  if (wanted.empty()) {
    // Docker gives such a volume an anonymous directory; ours lives and dies with the attempt.
    const std::string& name = volume.name();
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
      throw LaunchError(CannotStart("volume name \"" + name + "\" is not a plain name"));
    }
    const fs::path scratch = attempt_dir / "volumes" / volume.name();
    std::error_code ec;
    fs::create_directories(scratch, ec);
    if (ec) {
      throw LaunchError("creating scratch volume " + scratch.string() + ": " + ec.message(), true);
    }
    return fs::canonical(scratch);
  }
  std::error_code ec;
  const fs::path source = fs::canonical(wanted, ec);
  if (ec) {
    throw LaunchError(CannotStart("volume \"" + volume.name() + "\" host path " + wanted +
                                  " cannot be mounted: " + ec.message()));
  }
  if (IsUnder(source, fs::canonical(attempt_dir))) return source;
  for (const auto& root : allowed_roots) {
    const fs::path canonical_root = fs::weakly_canonical(root, ec);
    if (!ec && IsUnder(source, canonical_root)) return source;
  }
  throw LaunchError(CannotStart("volume \"" + volume.name() + "\" host path " + wanted +
                                " is not allowed: host paths must lie under an allowed mount "
                                "root (" +
                                DescribeRoots(allowed_roots) +
                                ") or inside the attempt directory"));
}

}  // namespace

bool IsUnder(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty() && std::next(r) == root.end()) break;  // a trailing slash on the root
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

namespace {

// What both executors check: the volume exists, the container path is absolute and not /,
// the host path is allowed. The process executor also needs the target on this machine.
BindMount ResolveMount(const batch::v1::ContainerDetail& container,
                       const batch::v1::MountPoint& point, const fs::path& attempt_dir,
                       const std::vector<fs::path>& allowed_roots) {
  const batch::v1::Volume* volume = FindVolume(container, point.source_volume());
  if (volume == nullptr) {
    throw LaunchError(CannotStart("mount point " + point.container_path() + " names volume \"" +
                                  point.source_volume() + "\", which the job does not define"));
  }
  const fs::path target(point.container_path());
  if (!target.is_absolute() || target == "/") {
    throw LaunchError(CannotStart("mount point container path \"" + point.container_path() +
                                  "\" must be an absolute path other than /"));
  }
  BindMount mount;
  mount.source = HostSource(*volume, attempt_dir, allowed_roots).string();
  mount.target = target.lexically_normal().string();
  mount.read_only = point.read_only();
  return mount;
}

}  // namespace

std::vector<BindMount> ResolveBindMounts(const batch::v1::ContainerDetail& container,
                                         const fs::path& attempt_dir,
                                         const std::vector<fs::path>& allowed_roots) {
  std::vector<BindMount> mounts;
  for (const auto& point : container.mount_points()) {
    BindMount mount = ResolveMount(container, point, attempt_dir, allowed_roots);
    std::error_code ec;
    if (!fs::exists(mount.target, ec)) {
      throw LaunchError(CannotStart("mount point container path " + point.container_path() +
                                    " does not exist on this machine (the process executor "
                                    "mounts over existing paths)"));
    }
    mount.kept_flags = FlagsToKeep(mount.source);
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

std::vector<BindMount> ResolveContainerMounts(const batch::v1::ContainerDetail& container,
                                              const fs::path& attempt_dir,
                                              const std::vector<fs::path>& allowed_roots) {
  std::vector<BindMount> mounts;
  for (const auto& point : container.mount_points()) {
    BindMount mount = ResolveMount(container, point, attempt_dir, allowed_roots);
    // The runtime's --mount option separates its fields with commas.
    for (const std::string* path : {&mount.source, &mount.target}) {
      if (path->find(',') != std::string::npos) {
        throw LaunchError(CannotStart("mount path " + *path +
                                      " holds a comma, which a "
                                      "container mount cannot carry"));
      }
    }
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

}  // namespace batchd::agent
