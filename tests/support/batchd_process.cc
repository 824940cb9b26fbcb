#include "support/batchd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "support/wait.h"

extern char** environ;

namespace batchd::testing {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

std::string ReadFile(const fs::path& path, std::uintmax_t from = 0) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(from));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Tail(const std::string& text, size_t max = 4000) {
  return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` up to `timeout`; true (with `status`) when it exited.
bool WaitFor(pid_t pid, int* status, std::chrono::milliseconds timeout) {
  return PollUntil(
      [&] {
        pid_t r = waitpid(pid, status, WNOHANG);
        return r == pid || (r < 0 && errno != EINTR);
      },
      timeout);
}

int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::vector<std::string> MergedEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const std::string& entry : extra) {
    const std::string key = entry.substr(0, entry.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.starts_with(key); });
    env.push_back(entry);
  }
  return env;
}

std::string Resolve(const std::string& program, const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return program;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& e : env) {
    if (e.starts_with("PATH=")) path = e.substr(5);
  }
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return program;  // exec fails and says so
}

struct Stdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

// fork + exec with only async-signal-safe calls in the child. The child gets a clean signal
// mask (batchd and tests may block signals), its stdio on `stdio`, no other descriptors of
// ours, and SIGTERM when the forking thread dies, so a crashed test leaves no batchd behind.
pid_t Spawn(const std::vector<std::string>& argv_in, const std::vector<std::string>& env_in,
            Stdio stdio) {
  std::vector<std::string> env = env_in;
  std::vector<std::string> argv = argv_in;
  argv[0] = Resolve(argv[0], env);
  std::vector<char*> argv_c;
  for (std::string& a : argv) argv_c.push_back(a.data());
  argv_c.push_back(nullptr);
  std::vector<char*> env_c;
  for (std::string& e : env) env_c.push_back(e.data());
  env_c.push_back(nullptr);
  const pid_t parent = getpid();

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe");
  pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::system_category(), "fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2}) {
      signal(sig, SIG_DFL);
    }
    int fds[4] = {stdio.in, stdio.out, stdio.err, report[1]};
    for (int& fd : fds) {
      if (fd < 0) fd = open("/dev/null", O_RDWR);
      fd = fcntl(fd, F_DUPFD, 10);  // out of the way of 0..3
    }
    for (int i = 0; i < 4; ++i) dup2(fds[i], i);
    fcntl(3, F_SETFD, FD_CLOEXEC);
    if (close_range(4, ~0U, 0) != 0) {
      for (int fd = 4; fd < 4096; ++fd) close(fd);
    }
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    execve(argv_c[0], argv_c.data(), env_c.data());
    int err = errno;
    ssize_t ignored = write(3, &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  close(report[1]);
  int err = 0;
  ssize_t n;
  do {
    n = read(report[0], &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == sizeof err) {
    Reap(pid);
    throw std::system_error(err, std::system_category(), "exec " + argv[0]);
  }
  return pid;
}

// Spawns with stdout and stderr appended to `log`; `offset` gets where this run's output starts.
pid_t SpawnLogged(const std::vector<std::string>& argv, const fs::path& log,
                  std::uintmax_t* offset) {
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::system_error(errno, std::system_category(), "open " + log.string());
  std::error_code ec;
  *offset = fs::file_size(log, ec);
  try {
    pid_t pid = Spawn(argv, MergedEnvironment({}), Stdio{-1, log_fd, log_fd});
    close(log_fd);
    return pid;
  } catch (...) {
    close(log_fd);
    throw;
  }
}

}  // namespace

std::string BatchdBinary() { return BATCHD_BIN; }
std::string BatchctlBinary() { return BATCHCTL_BIN; }
std::string AgentBinary() { return BATCH_AGENT_BIN; }

AgentProcess::AgentProcess(AgentOptions options) : options_(std::move(options)) {
  if (options_.work_dir.empty()) throw std::invalid_argument("AgentProcess: work_dir is required");
  fs::create_directories(options_.work_dir);
  log_path_ = options_.work_dir / "agent.log";
  std::vector<std::string> argv = {AgentBinary(),
                                   "--scheduler",
                                   options_.scheduler,
                                   "--token-file",
                                   options_.token_file.string(),
                                   "--compute-environment",
                                   options_.compute_environment,
                                   "--work-dir",
                                   options_.work_dir.string()};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  pid_ = SpawnLogged(argv, log_path_, &log_offset_);
}

AgentProcess::~AgentProcess() { Kill(); }

int AgentProcess::Stop(std::chrono::seconds timeout) {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, &status, timeout)) {
    kill(pid_, SIGKILL);
    status = Reap(pid_);
  }
  pid_ = -1;
  return exit_code_ = ExitCode(status);
}

void AgentProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  exit_code_ = ExitCode(Reap(pid_));
  pid_ = -1;
}

bool AgentProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exit_code_ = ExitCode(status);
  pid_ = -1;
  return false;
}

std::string AgentProcess::Log() const { return ReadFile(log_path_, log_offset_); }

BatchdProcess::BatchdProcess(BatchdOptions options) : options_(std::move(options)) {
  if (options_.data_dir.empty()) throw std::invalid_argument("BatchdProcess: data_dir is required");
  fs::create_directories(options_.data_dir);
  const fs::path addr_file = options_.data_dir / "batchd.addr";
  fs::remove(addr_file);  // left by a batchd that was killed: not ours to read
  log_path_ = options_.data_dir / "batchd.log";

  std::vector<std::string> argv = {BatchdBinary(), "--data-dir", options_.data_dir.string(),
                                   "--listen", "127.0.0.1:0"};
  if (!options_.database_url.empty()) {
    argv.push_back("--database-url");
    argv.push_back(options_.database_url);
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());

  pid_ = SpawnLogged(argv, log_path_, &log_offset_);

  int status = 0;
  bool exited = false;
  const bool serving = PollUntil(
      [&] {
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
          exited = true;
          return true;
        }
        std::error_code ignored;
        return fs::file_size(addr_file, ignored) > 0 && !ignored;
      },
      std::chrono::seconds(60));
  if (exited) {
    pid_ = -1;
    throw std::runtime_error("batchd exited during startup with code " +
                             std::to_string(ExitCode(status)) + "; its log:\n" + Tail(Log()));
  }
  if (!serving) {
    Kill();
    throw std::runtime_error("batchd did not write " + addr_file.string() +
                             " within 60 s; its log:\n" + Tail(Log()));
  }
  std::string addr = ReadFile(addr_file);
  addr.erase(addr.find_last_not_of(" \r\n") + 1);
  address_ = addr;
}

BatchdProcess::~BatchdProcess() {
  if (pid_ > 0) Stop();
}

int BatchdProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, &status, std::chrono::seconds(30))) {
    kill(pid_, SIGKILL);
    status = Reap(pid_);
  }
  pid_ = -1;
  return ExitCode(status);
}

void BatchdProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(pid_);
  pid_ = -1;
}

std::string BatchdProcess::Log() const { return ReadFile(log_path_, log_offset_); }

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_text,
                         const std::vector<std::string>& env) {
  if (argv.empty()) throw std::invalid_argument("RunCommand: empty argv");
  // A child that exits without reading its stdin must give us EPIPE, not kill the test.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { signal(SIGPIPE, SIG_IGN); });
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::system_category(), "pipe");
  }
  pid_t pid;
  try {
    pid = Spawn(argv, MergedEnvironment(env), Stdio{in[0], out[1], err[1]});
  } catch (...) {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    throw;
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);

  // One poll loop for all three pipes: a child that fills stdout while we still write its
  // stdin must not deadlock us.
  CommandResult result;
  size_t written = 0;
  int in_fd = in[1];
  if (stdin_text.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  int out_fd = out[0], err_fd = err[0];
  const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  bool killed = false;
  while (out_fd >= 0 || err_fd >= 0 || in_fd >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd fds[3] = {{in_fd, POLLOUT, 0}, {out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    if (poll(fds, 3, static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (in_fd >= 0 && fds[0].revents != 0) {
      ssize_t n = write(in_fd, stdin_text.data() + written, stdin_text.size() - written);
      if (n > 0) written += n;
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_text.size()) {
        close(in_fd);  // done, or the child stopped reading (EPIPE)
        in_fd = -1;
      }
    }
    for (int i : {1, 2}) {
      int& fd = i == 1 ? out_fd : err_fd;
      std::string& sink = i == 1 ? result.out : result.err;
      if (fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        sink.append(buf, n);
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(fd);
        fd = -1;
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd}) {
    if (fd >= 0) close(fd);
  }
  int status = 0;
  if (!killed) {
    const auto left = std::max(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()),
        std::chrono::milliseconds(1));
    if (!WaitFor(pid, &status, left)) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  if (killed) {
    status = Reap(pid);
    result.err += "\n[RunCommand: killed after 60 s]";
  }
  result.exit_code = ExitCode(status);
  return result;
}

}  // namespace batchd::testing
