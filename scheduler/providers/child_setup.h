#pragma once
// What every process batchd starts for a provider (an agent, a create or delete command)
// does between fork and exec.
#include <signal.h>
#include <unistd.h>

#include <boost/process/extend.hpp>

namespace batchd::providers {

// batchd blocks the shutdown signals in every thread (it waits for them), and a blocked mask
// survives exec: the child gets them back, in a process group of its own so that a Ctrl-C
// meant for batchd reaches it only through batchd's orderly stop, and so that a command that
// runs too long can be killed with everything it started.
struct ProviderChildSetup : boost::process::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
  }
};

}  // namespace batchd::providers
