#include "agent/executor/standby.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>

#include "agent/executor/command.h"

namespace batchd::agent {
namespace {

// The standby's end of the socket, at a fixed number so that it can close all else.
constexpr int kStandbySocket = 3;
// The most a request may weigh on the wire (argv and environment are bounded far below).
constexpr uint32_t kMaxRequestBytes = 64u << 20;

struct Header {
  uint32_t length = 0;
};

// What the standby sends back when it could not become the job; nothing (EOF) means exec.
struct Report {
  bool setup_failed = false;
  ChildFailure failure;
  int exec_error = 0;
};

void PutNumber(std::string& out, uint64_t n) { out.append(reinterpret_cast<const char*>(&n), 8); }

void PutText(std::string& out, const std::string& s) {
  PutNumber(out, s.size());
  out.append(s);
}

void PutTexts(std::string& out, const std::vector<std::string>& items) {
  PutNumber(out, items.size());
  for (const auto& s : items) PutText(out, s);
}

class WireReader {
 public:
  explicit WireReader(std::string_view wire) : rest_(wire) {}

  bool Number(uint64_t* n) {
    if (rest_.size() < 8) return false;
    std::memcpy(n, rest_.data(), 8);
    rest_.remove_prefix(8);
    return true;
  }
  bool Text(std::string* s) {
    uint64_t n = 0;
    if (!Number(&n) || n > rest_.size()) return false;
    s->assign(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return true;
  }
  bool Texts(std::vector<std::string>* items) {
    uint64_t n = 0;
    if (!Number(&n) || n > rest_.size()) return false;
    items->resize(n);
    for (auto& s : *items) {
      if (!Text(&s)) return false;
    }
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// The bytes read; fewer than `size` only at EOF or on an error.
size_t ReadAll(int fd, char* data, size_t size) {
  size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd, data + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Once in its cgroup the standby says kReadyTag, or kFailedTag and the Report when it could
// not get there. Before exec it says which way it goes: kExecTag (then nothing more when
// exec succeeds, the socket being close-on-exec, or the Report when it failed) or kFailedTag
// and the Report. Without a tag it died before it could do what it was asked.
constexpr char kReadyTag = 'R';
constexpr char kExecTag = 'X';
constexpr char kFailedTag = 'F';

[[noreturn]] void SendReportAndExit(const Report& report, bool tagged) {
  if (tagged) {
    [[maybe_unused]] ssize_t n = ::write(kStandbySocket, &kFailedTag, 1);
  }
  [[maybe_unused]] ssize_t n = ::write(kStandbySocket, &report, sizeof report);
  ::_exit(127);
}

// The cgroup's directories made and the standby moved into it; false with `report` filled.
bool JoinCgroup(const std::vector<std::string>& dirs, const std::vector<std::string>& procs,
                Report* report) {
  for (const auto& dir : dirs) {
    if (::mkdir(dir.c_str(), 0755) != 0) {
      report->failure = {ChildStep::kJoinCgroup, -1, errno};
      return false;
    }
  }
  for (size_t i = 0; i < procs.size(); ++i) {
    const int fd = ::open(procs[i].c_str(), O_WRONLY | O_CLOEXEC);
    const bool joined = fd >= 0 && ::write(fd, "0", 1) == 1;
    report->failure = {ChildStep::kJoinCgroup, static_cast<int>(i), errno};
    if (fd >= 0) ::close(fd);
    if (!joined) return false;
  }
  return true;
}

// In the forked standby: a copy of the agent with this one thread. It keeps no descriptor of
// the agent's (a socket held here would outlive the agent's own close of it).
[[noreturn]] void StandbyMain(int socket, pid_t agent, const std::vector<std::string>& dirs,
                              const std::vector<std::string>& procs) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != agent) ::_exit(0);
  if (socket != kStandbySocket && ::dup2(socket, kStandbySocket) < 0) ::_exit(127);
  ::close_range(kStandbySocket + 1, ~0U, 0);
  Report report;
  if (!JoinCgroup(dirs, procs, &report)) {
    report.setup_failed = true;
    SendReportAndExit(report, true);
  }
  if (::write(kStandbySocket, &kReadyTag, 1) != 1) ::_exit(0);

  Header header;
  int fds[3] = {-1, -1, -1};
  iovec iov{&header, sizeof header};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(kStandbySocket, &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof header)) ::_exit(0);  // the agent let us go
  const cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof fds) ||
      header.length > kMaxRequestBytes) {
    ::_exit(127);
  }
  std::memcpy(fds, CMSG_DATA(cmsg), sizeof fds);
  // glibc's fork leaves malloc usable in the child, and no other thread is left to hold a lock.
  std::string wire(header.length, '\0');
  SpawnRequest request;
  if (ReadAll(kStandbySocket, wire.data(), wire.size()) != wire.size() ||
      !DecodeSpawnRequest(wire, &request)) {
    ::_exit(127);
  }
  // From here on it is the job, which outlives a crashed agent as a spawned job does (the
  // restarted agent ends it); the kill on the agent's death was for an idle standby.
  ::prctl(PR_SET_PDEATHSIG, 0);
  request.plan.stdin_fd = fds[0];
  request.plan.stdout_fd = fds[1];
  request.plan.stderr_fd = fds[2];
  if (!PrepareChild(request.plan, &report.failure)) {
    report.setup_failed = true;
    SendReportAndExit(report, true);
  }
  std::vector<char*> argv, envp;
  for (auto& arg : request.argv) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (auto& entry : request.environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  if (::write(kStandbySocket, &kExecTag, 1) != 1) ::_exit(127);
  ::execve(request.executable.c_str(), argv.data(), envp.data());
  report.exec_error = errno;
  SendReportAndExit(report, false);
}

}  // namespace

std::string EncodeSpawnRequest(const SpawnRequest& request) {
  std::string out;
  PutText(out, request.executable);
  PutTexts(out, request.argv);
  PutTexts(out, request.environment);
  const ChildPlan& plan = request.plan;
  PutText(out, plan.working_dir);
  PutNumber(out, plan.switch_user ? 1 : 0);
  PutNumber(out, plan.uid);
  PutNumber(out, plan.gid);
  PutNumber(out, plan.groups.size());
  for (gid_t g : plan.groups) PutNumber(out, g);
  PutNumber(out, plan.mounts.size());
  for (const BindMount& m : plan.mounts) {
    PutText(out, m.source);
    PutText(out, m.target);
    PutNumber(out, m.read_only ? 1 : 0);
    PutNumber(out, m.kept_flags);
  }
  return out;
}

bool DecodeSpawnRequest(std::string_view wire, SpawnRequest* request) {
  WireReader in(wire);
  ChildPlan& plan = request->plan;
  uint64_t switch_user = 0, uid = 0, gid = 0, groups = 0, mounts = 0;
  if (!in.Text(&request->executable) || !in.Texts(&request->argv) ||
      !in.Texts(&request->environment) || !in.Text(&plan.working_dir) || !in.Number(&switch_user) ||
      !in.Number(&uid) || !in.Number(&gid) || !in.Number(&groups) || groups > wire.size()) {
    return false;
  }
  plan.switch_user = switch_user != 0;
  plan.uid = static_cast<uid_t>(uid);
  plan.gid = static_cast<gid_t>(gid);
  plan.groups.resize(groups);
  for (auto& g : plan.groups) {
    uint64_t n = 0;
    if (!in.Number(&n)) return false;
    g = static_cast<gid_t>(n);
  }
  if (!in.Number(&mounts) || mounts > wire.size()) return false;
  plan.mounts.resize(mounts);
  for (BindMount& m : plan.mounts) {
    uint64_t read_only = 0, flags = 0;
    if (!in.Text(&m.source) || !in.Text(&m.target) || !in.Number(&read_only) ||
        !in.Number(&flags)) {
      return false;
    }
    m.read_only = read_only != 0;
    m.kept_flags = flags;
  }
  plan.cgroup_procs_files.clear();
  plan.cgroup_procs_fds.clear();
  return in.done() && !request->argv.empty();
}

std::optional<StandbyProcess> StartStandby(const std::vector<std::string>& cgroup_dirs,
                                           const std::vector<std::string>& procs_files) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return std::nullopt;
  const pid_t agent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pair[0]);
    StandbyMain(pair[1], agent, cgroup_dirs, procs_files);
  }
  ::close(pair[1]);
  if (pid < 0) {
    ::close(pair[0]);
    return std::nullopt;
  }
  return StandbyProcess{pid, pair[0]};
}

bool AwaitStandby(StandbyProcess& standby, std::string* why) {
  if (standby.ready) return true;
  char tag = 0;
  Report report;
  if (ReadAll(standby.socket, &tag, 1) == 1 && tag == kReadyTag) {
    standby.ready = true;
    return true;
  }
  const bool reported =
      tag == kFailedTag &&
      ReadAll(standby.socket, reinterpret_cast<char*>(&report), sizeof report) == sizeof report;
  *why = reported ? "joining its cgroup: " + std::string(std::strerror(report.failure.error))
                  : "the standby process ended before it joined its cgroup";
  DiscardStandby(standby);
  return false;
}

std::optional<SpawnResult> LaunchOnStandby(StandbyProcess& standby, const SpawnRequest& request) {
  if (std::string why; !AwaitStandby(standby, &why)) return std::nullopt;
  const std::string wire = EncodeSpawnRequest(request);
  Header header{static_cast<uint32_t>(wire.size())};
  int fds[3] = {request.plan.stdin_fd, request.plan.stdout_fd, request.plan.stderr_fd};
  iovec iov{&header, sizeof header};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof fds);
  std::memcpy(CMSG_DATA(cmsg), fds, sizeof fds);
  ssize_t sent;
  do {
    sent = ::sendmsg(standby.socket, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent != static_cast<ssize_t>(sizeof header) ||
      !WriteAll(standby.socket, wire.data(), wire.size())) {
    DiscardStandby(standby);
    return std::nullopt;
  }
  char tag = 0;
  if (ReadAll(standby.socket, &tag, 1) != 1) {
    DiscardStandby(standby);  // gone before it could start anything: the job may start anew
    return std::nullopt;
  }
  Report report;
  const size_t got = ReadAll(standby.socket, reinterpret_cast<char*>(&report), sizeof report);
  ::close(standby.socket);
  standby.socket = -1;
  SpawnResult result;
  if (tag == kExecTag && got == 0) {
    result.pid = standby.pid;
    return result;
  }
  Reap(standby.pid);
  if (got != sizeof report) {
    result.error = "the job's process ended before it started the job";
    result.infrastructure = true;
  } else if (report.setup_failed) {
    result.error = DescribeChildFailure(request.plan, report.failure, &result.infrastructure);
  } else {
    result.error = ExecFailureReason(request.argv.front(), report.exec_error);
  }
  return result;
}

void DiscardStandby(StandbyProcess& standby) {
  if (standby.socket >= 0) ::close(standby.socket);
  standby.socket = -1;
  if (standby.pid > 0) {
    ::kill(standby.pid, SIGKILL);
    Reap(standby.pid);
  }
  standby.pid = -1;
}

}  // namespace batchd::agent
