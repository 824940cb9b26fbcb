#include "agent/program.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>

#include "agent/agent.h"
#include "agent/agent_options.h"
#include "config/log_level.h"

namespace batchd::agent {
namespace {

// SIGTERM and SIGINT get a handler rather than being blocked: a blocked mask would be inherited
// by every job the executor starts, and handlers (unlike masks) are reset by exec.
int signal_pipe[2] = {-1, -1};

void OnSignal(int sig) {
  const int saved = errno;
  const char byte = static_cast<char>(sig);
  [[maybe_unused]] ssize_t n = write(signal_pipe[1], &byte, 1);
  errno = saved;
}

// Turns each SIGTERM/SIGINT into Agent::RequestDrain until Stop().
class SignalRelay {
 public:
  explicit SignalRelay(Agent& agent) {
    if (pipe2(signal_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    struct sigaction action = {};
    action.sa_handler = OnSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    thread_ = std::thread([&agent] {
      char byte = 0;
      for (;;) {
        const ssize_t n = read(signal_pipe[0], &byte, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || byte == 0) return;  // 0: Stop()
        spdlog::info("received {}", byte == SIGTERM ? "SIGTERM" : "SIGINT");
        agent.RequestDrain();
      }
    });
  }
  ~SignalRelay() {
    const char stop = 0;
    [[maybe_unused]] ssize_t n = write(signal_pipe[1], &stop, 1);
    thread_.join();
  }

 private:
  std::thread thread_;
};

void SetUpLogging() {
  auto logger = spdlog::stdout_color_mt("batch-agent");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %n: %v");
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace

int RunBatchAgent(int argc, char** argv) {
  ParsedCommandLine parsed = ParseCommandLine(argc, argv);
  if (parsed.exit_code) {
    std::fputs(parsed.message.c_str(), *parsed.exit_code == 0 ? stdout : stderr);
    return *parsed.exit_code;
  }
  SetUpLogging();
  AgentOptions options;
  RuntimeSearch search;
  try {
    options = ResolveOptions(parsed.flags);
    search = FindContainerRuntime(options.container_runtime);
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return kStartupErrorExit;
  }
  spdlog::set_level(config::SpdlogLevel(options.log_level));
  try {
    spdlog::info("{}", search.note);
    if (search.runtime) options.container_runtimes = {search.runtime->name};
    const ExecutorOptions executor_options{
        .work_dir = options.work_dir,
        .default_kill_grace_seconds = options.kill_grace_seconds,
        .cgroups = options.cgroups,
        .allowed_mount_roots = options.allowed_mount_roots,
        .container_runtime = search.runtime,
    };
    Agent agent(std::move(options), [&](Executor::StatusCallback on_status) {
      return MakeProcessExecutor(executor_options, std::move(on_status));
    });
    SignalRelay signals(agent);
    return agent.Run();
  } catch (const std::exception& e) {
    spdlog::error("cannot run: {}", e.what());
    return kExitFatal;
  }
}

}  // namespace batchd::agent
