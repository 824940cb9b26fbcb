#include "store/embedded_postgres.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "api/text.h"

extern char** environ;

namespace batchd::store {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kSuperuser[] = "batchd";
constexpr char kPort[] = "5432";

// PostgreSQL's defaults (128 MB of buffers, a checkpoint every 1 GB of WAL) suit a small
// shared server. With millions of jobs stored the indexes no longer fit those buffers, and
// frequent checkpoints make every first change of a page write the whole page to the WAL.
// With 10M rows stored the depth bench's turnover fell to 59% of an empty database's, and
// to 77% with these settings. The cluster batchd owns takes an eighth of the machine's
// memory (128 MB to 4 GB), checkpoints less often, and compresses the pages it must log.
std::vector<std::string> SizingSettings() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  int64_t mib = pages > 0 && page_size > 0 ? int64_t{pages} * page_size / 8 / (1 << 20) : 128;
  mib = std::clamp<int64_t>(mib, 128, 4096);
  return {"shared_buffers=" + std::to_string(mib) + "MB", "max_wal_size=4GB", "wal_compression=on"};
}
constexpr char kInstallRoot[] = "/usr/lib/postgresql";
// sun_path holds 108 bytes; PostgreSQL also appends ".lock" to a sibling name. Keep a margin.
constexpr size_t kMaxSocketPath = 100;

[[noreturn]] void Fail(const std::string& message) { throw std::runtime_error(message); }

std::string ErrnoText(int err) { return std::error_code(err, std::system_category()).message(); }

// The file, or "" when it cannot be read (what every caller here treats as absent).
std::string ReadFile(const fs::path& path) { return api::ReadTextFile(path).value_or(""); }

// The last lines of a log, for error messages: the server says why it did not start.
std::string LogTail(const fs::path& log) {
  std::string text = ReadFile(log);
  constexpr size_t kTail = 3000;
  if (text.size() > kTail) {
    text = text.substr(text.size() - kTail);
    text = text.substr(std::min(text.size(), text.find('\n') + 1));
  }
  if (api::Trimmed(text).empty()) return "";
  return "\n--- end of " + log.string() + " ---\n" + text;
}

// libpq keyword values need quoting when they hold spaces, quotes or backslashes.
std::string ConninfoValue(const std::string& value) {
  if (!value.empty() && value.find_first_of(" '\\\t\n") == std::string::npos) return value;
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

// ---- finding the installation

struct Installation {
  fs::path bin;
  int major = 0;
};

std::vector<Installation> InstalledVersions() {
  std::vector<Installation> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kInstallRoot, ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    long major = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str() || major <= 0) continue;
    fs::path bin = entry.path() / "bin";
    if (access((bin / "initdb").c_str(), X_OK) != 0) continue;
    if (access((bin / "postgres").c_str(), X_OK) != 0) continue;
    found.push_back({bin, static_cast<int>(major)});
  }
  std::sort(found.begin(), found.end(),
            [](const Installation& a, const Installation& b) { return a.major > b.major; });
  return found;
}

// The newest installed version, or the one an existing cluster was created by: a cluster
// cannot be opened by another major version without pg_upgrade.
Installation ChooseInstallation(const fs::path& dir) {
  std::vector<Installation> installed = InstalledVersions();
  if (installed.empty()) {
    Fail(std::string("PostgreSQL server binaries not found in ") + kInstallRoot +
         "/*/bin: install the postgresql package");
  }
  std::error_code ec;
  if (!fs::exists(dir / "PG_VERSION", ec)) return installed.front();
  const std::string wanted = api::Trimmed(ReadFile(dir / "PG_VERSION"));
  for (const Installation& inst : installed) {
    if (std::to_string(inst.major) == wanted) return inst;
  }
  std::string have;
  for (const Installation& inst : installed) {
    have += (have.empty() ? "" : ", ") + std::to_string(inst.major);
  }
  Fail("the PostgreSQL cluster in " + dir.string() + " was created by PostgreSQL " + wanted +
       ", which is not installed (installed: " + have + "); install postgresql-" + wanted +
       " or upgrade the cluster with pg_upgrade");
}

// ---- the user the cluster runs as

struct ClusterUser {
  bool switch_user = false;  // true when we are root and run PostgreSQL as `postgres`
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

ClusterUser ResolveClusterUser() {
  ClusterUser user;
  user.uid = geteuid();
  user.gid = getegid();
  if (user.uid != 0) {
    if (const passwd* pw = getpwuid(user.uid)) user.name = pw->pw_name;
    return user;
  }
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    Fail(
        "running as root, but there is no 'postgres' system user to run PostgreSQL as (initdb "
        "refuses root): install the postgresql package");
  }
  user.switch_user = true;
  user.name = pw->pw_name;
  user.uid = pw->pw_uid;
  user.gid = pw->pw_gid;
  int count = 64;
  user.groups.resize(count);
  if (getgrouplist(pw->pw_name, pw->pw_gid, user.groups.data(), &count) < 0) {
    user.groups.resize(count);
    getgrouplist(pw->pw_name, pw->pw_gid, user.groups.data(), &count);
  }
  user.groups.resize(count);
  return user;
}

// ---- child processes
//
// Between fork and exec only async-signal-safe calls are allowed (other threads of this
// process may hold malloc's locks), so everything the child needs is prepared beforehand.

enum class Stage : int { kSetgroups = 1, kSetgid, kSetuid, kDeathSignal, kChdir, kExec };

const char* StageName(int stage) {
  switch (static_cast<Stage>(stage)) {
    case Stage::kSetgroups:
      return "setgroups";
    case Stage::kSetgid:
      return "setgid";
    case Stage::kSetuid:
      return "setuid";
    case Stage::kDeathSignal:
      return "prctl(PR_SET_PDEATHSIG)";
    case Stage::kChdir:
      return "chdir";
    case Stage::kExec:
      return "exec";
  }
  return "start";
}

struct ChildFailure {
  int stage;
  int err;
};

[[noreturn]] void ChildFail(int report_fd, Stage stage) {
  ChildFailure failure{static_cast<int>(stage), errno};
  ssize_t ignored = write(report_fd, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

// Runs in the child: resets what exec would otherwise inherit (blocked signals: batchd blocks
// SIGTERM/SIGINT for sigwait; our file descriptors), switches user, then continues in `then`.
template <typename Then>
[[noreturn]] void ChildSetup(const ClusterUser& user, int out_fd, int report_fd, bool server,
                             pid_t parent, const char* cwd, Then then) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2}) {
    signal(sig, SIG_DFL);
  }
  // Its own process group: a Ctrl-C in batchd's terminal must not stop the database under
  // batchd's feet; batchd stops it in order.
  if (server) setpgid(0, 0);

  int report = fcntl(report_fd, F_DUPFD_CLOEXEC, 10);
  int out = out_fd >= 0 ? fcntl(out_fd, F_DUPFD, 10) : -1;
  int null_fd = open("/dev/null", O_RDWR);
  dup2(null_fd, 0);
  dup2(out >= 0 ? out : null_fd, 1);
  dup2(out >= 0 ? out : null_fd, 2);
  dup2(report, 3);
  fcntl(3, F_SETFD, FD_CLOEXEC);
  if (close_range(4, ~0U, 0) != 0) {
    for (int fd = 4; fd < 4096; ++fd) close(fd);
  }
  report_fd = 3;

  if (user.switch_user) {
    if (setgroups(user.groups.size(), user.groups.data()) != 0) {
      ChildFail(report_fd, Stage::kSetgroups);
    }
    if (setgid(user.gid) != 0) ChildFail(report_fd, Stage::kSetgid);
    if (setuid(user.uid) != 0) ChildFail(report_fd, Stage::kSetuid);
  }
  // After setuid, which clears it. A SIGKILLed batchd then still stops its server (SIGINT =
  // fast shutdown); the check covers a parent that died before prctl.
  if (server) {
    if (prctl(PR_SET_PDEATHSIG, SIGINT) != 0) ChildFail(report_fd, Stage::kDeathSignal);
    if (getppid() != parent) _exit(1);
  }
  if (cwd != nullptr && chdir(cwd) != 0) ChildFail(report_fd, Stage::kChdir);
  then(report_fd);
  _exit(0);
}

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) Fail("pipe: " + ErrnoText(errno));
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (read >= 0) close(read);
    read = -1;
  }
  void CloseWrite() {
    if (write >= 0) close(write);
    write = -1;
  }
};

// PostgreSQL reads PGPORT, PGDATA, ... from the environment; ours are passed explicitly.
std::vector<std::string> ChildEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PG", 2) == 0) continue;
    env.emplace_back(*e);
  }
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts `argv` as the cluster user with stdout and stderr on `out_fd`; throws when the
// program could not be executed.
pid_t Spawn(std::vector<std::string> argv, const ClusterUser& user, int out_fd, bool server,
            const fs::path& cwd) {
  std::vector<std::string> env = ChildEnvironment();
  std::vector<char*> argv_c = CStrings(argv);
  std::vector<char*> env_c = CStrings(env);
  const std::string cwd_s = cwd.string();
  const pid_t parent = getpid();
  Pipe report;
  pid_t pid = fork();
  if (pid < 0) Fail("fork: " + ErrnoText(errno));
  if (pid == 0) {
    ChildSetup(user, out_fd, report.write, server, parent, cwd_s.c_str(), [&](int report_fd) {
      execve(argv_c[0], argv_c.data(), env_c.data());
      ChildFail(report_fd, Stage::kExec);
    });
  }
  report.CloseWrite();
  ChildFailure failure{};
  ssize_t n;
  do {
    n = read(report.read, &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    int status;
    waitpid(pid, &status, 0);
    Fail("could not start " + argv[0] + " as user " + user.name + ": " + StageName(failure.stage) +
         ": " + ErrnoText(failure.err));
  }
  return pid;
}

struct Finished {
  int status = 0;
  std::string output;
};

// Runs a program to completion, capturing its output (initdb).
Finished RunToCompletion(std::vector<std::string> argv, const ClusterUser& user,
                         const fs::path& cwd) {
  Pipe out;
  pid_t pid = Spawn(std::move(argv), user, out.write, /*server=*/false, cwd);
  out.CloseWrite();
  Finished result;
  char buf[4096];
  for (;;) {
    ssize_t n = read(out.read, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, n);
  }
  while (waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

// ---- the data directory

// The cluster user must be able to reach its data directory; when root created the parents
// with a tight umask (or they live under /root) it cannot, and the server's own error would be
// obscure. Checked in a child as that user, so ACLs and groups count as the kernel sees them.
void CheckTraversable(const fs::path& dir, const ClusterUser& user) {
  std::vector<std::string> ancestors;
  for (fs::path p = dir.parent_path(); !p.empty(); p = p.parent_path()) {
    ancestors.insert(ancestors.begin(), p.string());
    if (p == p.root_path()) break;
  }
  std::vector<const char*> paths;
  for (const std::string& a : ancestors) paths.push_back(a.c_str());
  const size_t count = std::min<size_t>(paths.size(), 250);
  Pipe report;
  pid_t pid = fork();
  if (pid < 0) Fail("fork: " + ErrnoText(errno));
  if (pid == 0) {
    ChildSetup(user, -1, report.write, /*server=*/false, 0, nullptr, [&](int) {
      for (size_t i = 0; i < count; ++i) {
        if (access(paths[i], X_OK) != 0) _exit(static_cast<int>(i) + 1);
      }
      _exit(0);
    });
  }
  report.CloseWrite();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) >= 1 &&
      static_cast<size_t>(WEXITSTATUS(status)) <= count) {
    Fail("PostgreSQL runs as user '" + user.name + "', which cannot enter " +
         ancestors[WEXITSTATUS(status) - 1] + " on the way to " + dir.string() +
         ": allow it (chmod o+x) or choose a data directory elsewhere");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Fail("could not check access to " + dir.string() + " as user '" + user.name + "'");
  }
}

void PrepareDataDir(const fs::path& dir, const ClusterUser& user) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) Fail("cannot create PostgreSQL data directory " + dir.string() + ": " + ec.message());
  if (user.switch_user) {
    CheckTraversable(dir, user);
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) Fail("cannot stat " + dir.string() + ": " + ErrnoText(errno));
    if (st.st_uid != user.uid) {
      // A cluster made earlier by another user (batchd run without root): hand it over.
      if (chown(dir.c_str(), user.uid, user.gid) != 0) {
        Fail("cannot give " + dir.string() + " to user '" + user.name + "': " + ErrnoText(errno));
      }
      for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        lchown(entry.path().c_str(), user.uid, user.gid);
      }
    }
  }
  if (chmod(dir.c_str(), 0700) != 0) {
    Fail("cannot set mode 0700 on " + dir.string() + ": " + ErrnoText(errno));
  }
}

// Returns initdb's report, for the server log.
std::string InitCluster(const Installation& inst, const fs::path& dir, const ClusterUser& user,
                        bool durable) {
  std::vector<std::string> argv = {(inst.bin / "initdb").string(),
                                   "-D",
                                   dir.string(),
                                   "-U",
                                   kSuperuser,
                                   "-A",
                                   "trust",
                                   "-E",
                                   "UTF8",
                                   "--locale=C.UTF-8"};
  if (!durable) argv.push_back("-N");
  Finished done = RunToCompletion(argv, user, dir);
  if (!WIFEXITED(done.status) || WEXITSTATUS(done.status) != 0) {
    Fail("initdb failed for " + dir.string() + ":\n" + done.output);
  }
  return done.output;
}

// ---- a server left behind by an earlier batchd

bool IsLivePostgres(pid_t pid, const fs::path& dir) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  const fs::path proc = "/proc/" + std::to_string(pid);
  if (api::Trimmed(ReadFile(proc / "comm")) != "postgres") return false;
  // The pid may have been reused by another cluster's server; its working directory tells.
  std::error_code ec;
  fs::path cwd = fs::read_symlink(proc / "cwd", ec);
  if (ec) return true;  // cannot tell: trust the pid file
  const bool same = fs::equivalent(cwd, dir, ec);
  return ec ? true : same;
}

bool Exited(pid_t pid) {
  if (kill(pid, 0) != 0) return true;
  // Not our child: once it exits only its parent (or a PID 1 that may never reap) can reap it.
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || (paren + 2 < stat.size() && stat[paren + 2] == 'Z');
}

bool WaitExited(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!Exited(pid)) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void StopStaleServer(const fs::path& dir) {
  const fs::path pid_file = dir / "postmaster.pid";
  std::error_code ec;
  if (!fs::exists(pid_file, ec)) return;
  const pid_t pid = static_cast<pid_t>(std::atol(ReadFile(pid_file).c_str()));
  if (!IsLivePostgres(pid, dir)) return;
  kill(pid, SIGINT);
  if (!WaitExited(pid, std::chrono::seconds(30))) {
    kill(pid, SIGQUIT);
    if (!WaitExited(pid, std::chrono::seconds(5))) {
      Fail("a PostgreSQL server (PID " + std::to_string(pid) + ") still runs on " + dir.string() +
           " and does not stop");
    }
  }
  // A server killed outright leaves its pid file; with the process a zombie nobody reaps,
  // PostgreSQL would take it for a running postmaster.
  fs::remove(pid_file, ec);
}

// ---- waiting for readiness

bool ChildExited(pid_t pid, int* status) {
  pid_t r = waitpid(pid, status, WNOHANG);
  return r == pid || (r < 0 && errno == ECHILD);
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

EmbeddedPostgres::EmbeddedPostgres(EmbeddedPostgresOptions options) : options_(std::move(options)) {
  if (options_.dir.empty()) Fail("embedded PostgreSQL: no data directory given");
  const fs::path dir = fs::absolute(options_.dir).lexically_normal();
  options_.dir = dir;
  const fs::path log =
      options_.log_file.empty() ? dir / "postgres.log" : fs::absolute(options_.log_file);
  options_.log_file = log;

  const ClusterUser user = ResolveClusterUser();
  PrepareDataDir(dir, user);
  const Installation inst = ChooseInstallation(dir);
  version_ = std::to_string(inst.major);

  std::error_code ec;
  std::string initdb_report;
  if (!fs::exists(dir / "PG_VERSION", ec)) {
    // initdb wants an empty directory, so the log (often inside it) is opened afterwards.
    initdb_report = InitCluster(inst, dir, user, options_.durable);
  }
  StopStaleServer(dir);

  fs::create_directories(log.parent_path(), ec);
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) Fail("cannot open PostgreSQL log " + log.string() + ": " + ErrnoText(errno));
  if (user.switch_user && fchown(log_fd, user.uid, user.gid) != 0) {
    // Not fatal: the server writes through our descriptor, not by path.
  }
  if (!initdb_report.empty()) {
    ssize_t ignored = write(log_fd, initdb_report.data(), initdb_report.size());
    (void)ignored;
  }

  if ((dir / ".s.PGSQL.").string().size() + sizeof kPort - 1 < kMaxSocketPath) {
    socket_dir_ = dir.string();
  } else {
    char tmpl[] = "/tmp/batchd-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      close(log_fd);
      Fail("cannot create a socket directory in /tmp: " + ErrnoText(errno));
    }
    socket_dir_ = tmpl;
    socket_dir_is_temp_ = true;
    if (user.switch_user && chown(tmpl, user.uid, user.gid) != 0) {
      int err = errno;
      close(log_fd);
      fs::remove(tmpl, ec);
      Fail(std::string("cannot give ") + tmpl + " to user '" + user.name + "': " + ErrnoText(err));
    }
  }

  std::vector<std::string> argv = {(inst.bin / "postgres").string(),
                                   "-D",
                                   dir.string(),
                                   "-p",
                                   kPort,
                                   "-c",
                                   "listen_addresses=",
                                   "-c",
                                   "unix_socket_directories=\"" + socket_dir_ + "\"",
                                   "-c",
                                   "unix_socket_permissions=0700"};
  for (const std::string& setting : SizingSettings()) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  if (!options_.durable) {
    for (const char* setting : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
      argv.push_back("-c");
      argv.push_back(setting);
    }
  }
  for (const std::string& setting : options_.settings) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  try {
    pid_ = Spawn(argv, user, log_fd, /*server=*/true, dir);
  } catch (...) {
    close(log_fd);
    Stop();
    throw;
  }
  close(log_fd);

  try {
    const auto deadline = Clock::now() + options_.start_timeout;
    const std::string admin_url = UrlFor("postgres");
    for (;;) {
      int status = 0;
      if (ChildExited(pid_, &status)) {
        pid_ = -1;
        Fail("PostgreSQL (" + inst.bin.string() + "/postgres) exited during startup with " +
             DescribeStatus(status) + LogTail(log));
      }
      try {
        pqxx::connection probe(admin_url);
        break;
      } catch (const std::exception&) {
        // Not accepting connections yet (socket missing, or "starting up").
      }
      if (Clock::now() > deadline) {
        Fail("PostgreSQL did not accept connections within " +
             std::to_string(options_.start_timeout.count()) + " s" + LogTail(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    url_ = CreateDatabase(options_.database);
  } catch (...) {
    Stop();
    throw;
  }
}

EmbeddedPostgres::~EmbeddedPostgres() { Stop(); }

bool EmbeddedPostgres::Running() {
  int status = 0;
  if (pid_ > 0 && ChildExited(pid_, &status)) pid_ = -1;
  return pid_ > 0;
}

void EmbeddedPostgres::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGINT);  // fast shutdown: roll back open transactions, checkpoint, exit
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    int status = 0;
    bool gone = false;
    while (!(gone = ChildExited(pid_, &status)) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!gone) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }
  if (socket_dir_is_temp_) {
    std::error_code ec;
    fs::remove_all(socket_dir_, ec);
    socket_dir_is_temp_ = false;
  }
}

std::string EmbeddedPostgres::UrlFor(const std::string& database) const {
  return "host=" + ConninfoValue(socket_dir_) + " port=" + kPort +
         " dbname=" + ConninfoValue(database) + " user=" + kSuperuser;
}

std::string EmbeddedPostgres::CreateDatabase(const std::string& name) {
  pqxx::connection conn(UrlFor("postgres"));
  pqxx::nontransaction txn(conn);
  if (txn.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty()) {
    try {
      txn.exec0("CREATE DATABASE " + txn.quote_name(name));
    } catch (const pqxx::sql_error& e) {
      // Another connection created it between our check and our CREATE.
      if (e.sqlstate() != "42P04") throw;
    }
  }
  return UrlFor(name);
}

std::string EmbeddedPostgres::Describe() const {
  return "embedded PostgreSQL " + version_ + " in " + options_.dir.string();
}

}  // namespace batchd::store
