#include "agent/executor/job_user.h"

#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <optional>

#include "agent/executor/launch_error.h"

namespace batchd::agent {
namespace {

std::optional<unsigned long> ParseId(const std::string& text) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

struct PasswdEntry {
  uid_t uid;
  gid_t gid;
  std::string name;
  std::string home;
};

std::optional<PasswdEntry> LookupPasswd(const std::string& name, std::optional<uid_t> uid) {
  std::vector<char> buffer(16384);
  struct passwd entry {};
  struct passwd* found = nullptr;
  const int rc = uid ? getpwuid_r(*uid, &entry, buffer.data(), buffer.size(), &found)
                     : getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr) return std::nullopt;
  return PasswdEntry{found->pw_uid, found->pw_gid, found->pw_name, found->pw_dir};
}

gid_t ResolveGroup(const std::string& group) {
  if (auto id = ParseId(group)) return static_cast<gid_t>(*id);
  std::vector<char> buffer(16384);
  struct group entry {};
  struct group* found = nullptr;
  if (getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    throw LaunchError(CannotStart("group \"" + group + "\" does not exist on this machine"));
  }
  return found->gr_gid;
}

std::vector<gid_t> SupplementaryGroups(const std::string& name, gid_t gid) {
  int count = 32;
  std::vector<gid_t> groups(count);
  while (getgrouplist(name.c_str(), gid, groups.data(), &count) < 0) {
    groups.resize(count + 16);
    count = static_cast<int>(groups.size());
  }
  groups.resize(count);
  return groups;
}

}  // namespace

JobUser ResolveJobUser(const std::string& spec) {
  const size_t colon = spec.find(':');
  const std::string user = spec.substr(0, colon);
  const std::optional<std::string> group =
      colon == std::string::npos ? std::nullopt : std::optional(spec.substr(colon + 1));

  JobUser result;
  const std::optional<unsigned long> uid = ParseId(user);
  const std::optional<PasswdEntry> entry =
      LookupPasswd(user, uid ? std::optional(static_cast<uid_t>(*uid)) : std::nullopt);
  if (entry) {
    result.uid = entry->uid;
    result.gid = entry->gid;
    result.home = entry->home;
  } else if (uid) {
    result.uid = static_cast<uid_t>(*uid);
    result.gid = static_cast<gid_t>(*uid);
  } else {
    throw LaunchError(CannotStart("user \"" + user + "\" does not exist on this machine"));
  }
  if (group) result.gid = ResolveGroup(*group);
  if (entry && !group) {
    result.groups = SupplementaryGroups(entry->name, result.gid);
  } else {
    result.groups = {result.gid};
  }
  return result;
}

}  // namespace batchd::agent
