#include "agent/executor/spawn.h"

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

// Boost.Process offers vfork only where the headers claim pre-2008 POSIX, since POSIX.1-2008
// dropped vfork; glibc has it, and it spares copying the agent's page tables for every job.
#ifndef BOOST_POSIX_HAS_VFORK
#define BOOST_POSIX_HAS_VFORK 1
#endif
#include <boost/process/child.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <cerrno>
#include <csignal>
#include <system_error>

#include "agent/executor/command.h"

namespace batchd::agent {
namespace {

namespace bp = boost::process;

// What the child reports back. With vfork the child shares the agent's memory until it
// execs, so it writes here directly and Boost.Process sees its error the same way.
struct ChildReport {
  bool setup_failed = false;
  ChildFailure failure;
  pid_t pid = -1;
};

// Hands Boost.Process our argv and environment as they are (no PATH search against the
// agent's own environment, no quoting) and runs PrepareChild between vfork and exec.
class JobLaunch : public bp::extend::handler {
 public:
  JobLaunch(const SpawnRequest& request, ChildReport* report)
      : request_(&request), report_(report) {
    for (const auto& arg : request.argv) argv_.push_back(const_cast<char*>(arg.c_str()));
    argv_.push_back(nullptr);
    for (const auto& entry : request.environment) {
      envp_.push_back(const_cast<char*>(entry.c_str()));
    }
    envp_.push_back(nullptr);
  }

  template <class Executor>
  void on_setup(Executor& exec) {
    exec.exe = request_->executable.c_str();
    exec.cmd_line = argv_.data();
    exec.env = envp_.data();
  }

  template <class Executor>
  void on_exec_setup(Executor& exec) {
    if (PrepareChild(request_->plan, &report_->failure)) return;
    report_->setup_failed = true;
    // Short enough for std::string's inline buffer: the vfork child must not allocate.
    exec.set_error(std::error_code(report_->failure.error, std::system_category()), "job setup");
    ::_exit(127);
  }

  template <class Executor>
  void on_error(Executor& exec, const std::error_code&) {
    report_->pid = exec.pid;
  }

 private:
  const SpawnRequest* request_;
  ChildReport* report_;
  std::vector<char*> argv_;
  std::vector<char*> envp_;
};

// A signal arriving in the vfork child before it reset its handlers would run the agent's
// handler on the agent's memory: all signals stay blocked around the vfork.
class BlockSignals {
 public:
  BlockSignals() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved_);
  }
  ~BlockSignals() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

 private:
  sigset_t saved_;
};

}  // namespace

SpawnResult SpawnProcess(const SpawnRequest& request) {
  SpawnResult result;
  ChildReport report;
  std::error_code error;
  {
    JobLaunch launch(request, &report);
    BlockSignals blocked;
    // vfork: no copy of the agent's page tables, which costs milliseconds in a large agent.
    bp::child child(launch, bp::posix::use_vfork, error);
    if (!error) {
      result.pid = child.id();
      // Our reaper waits for it; the child object must neither wait nor kill.
      child.detach();
      return result;
    }
  }
  if (report.pid > 0) {
    while (::waitpid(report.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (report.pid <= 0) {
    result.error = "starting the job's process failed: " + error.message();
    result.infrastructure = true;
  } else if (report.setup_failed) {
    result.error = DescribeChildFailure(request.plan, report.failure, &result.infrastructure);
  } else {
    result.error = ExecFailureReason(request.argv.front(), error.value());
  }
  return result;
}

}  // namespace batchd::agent
