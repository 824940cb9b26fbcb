#include "providers/exec_provider.h"

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/io.hpp>
#include <fstream>

#include "api/json_yaml.h"
#include "api/text.h"
#include "providers/child_setup.h"
#include "providers/process_wait.h"

namespace batchd::providers {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;

// Enough of stderr to say what went wrong, not so much that a chatty script floods the
// environment's status.
constexpr size_t kStderrTail = 1024;

// The end of what the command wrote to `path` (its stderr).
std::string Tail(const fs::path& path) {
  std::string t = api::Trimmed(api::ReadTextFile(path).value_or(""));
  if (t.size() > kStderrTail) t = "..." + t.substr(t.size() - kStderrTail);
  return t;
}

// Scratch files of one command run, removed afterwards.
class ScratchFiles {
 public:
  explicit ScratchFiles(const fs::path& dir) {
    static std::atomic<uint64_t> counter{0};
    fs::create_directories(dir);
    const std::string base = std::to_string(::getpid()) + "-" + std::to_string(++counter);
    in = dir / (base + ".in");
    out = dir / (base + ".out");
    err = dir / (base + ".err");
  }
  ~ScratchFiles() {
    std::error_code ec;
    for (const auto* p : {&in, &out, &err}) fs::remove(*p, ec);
  }
  fs::path in, out, err;
};

}  // namespace

std::string ExecProvider::Create(const NodeRequest& request) {
  batch::v1::NodeProvisionRequest input;
  input.set_action("create");
  input.set_node_id(request.node_id);
  input.set_compute_environment(request.compute_environment);
  auto* shape = input.mutable_shape();
  shape->set_name(request.shape.name);
  shape->set_vcpus(static_cast<int>(request.shape.resources.vcpus));
  shape->set_memory_mib(request.shape.resources.memory_mib);
  shape->set_gpus(request.shape.resources.gpus);
  input.set_capacity_type(request.spot ? batch::v1::CRType::SPOT : batch::v1::CRType::EC2);
  input.set_scheduler(options_.scheduler_address);
  input.set_join_token_file(options_.token_file.string());
  const std::string id = api::FirstLine(Run("createCommand", options_.create_command, input));
  if (id.empty()) throw ProviderError("createCommand printed no node id on stdout");
  return id;
}

void ExecProvider::Delete(const std::string& node_id) {
  batch::v1::NodeProvisionRequest input;
  input.set_action("delete");
  input.set_node_id(node_id);
  input.set_compute_environment(options_.compute_environment);
  input.set_scheduler(options_.scheduler_address);
  Run("deleteCommand", options_.delete_command, input);
}

std::string ExecProvider::Run(const std::string& what, const std::string& command,
                              const batch::v1::NodeProvisionRequest& input) const {
  const std::string json = api::ToJson(input, false);
  ScratchFiles files(options_.scratch_dir);
  {
    std::ofstream in(files.in, std::ios::binary | std::ios::trunc);
    in << json << "\n";
    if (!in) throw ProviderError(what + ": cannot write " + files.in.string());
  }
  std::error_code spawn_error;
  bp::child child("/bin/sh", bp::args(std::vector<std::string>{"-c", command}),
                  bp::std_in<files.in.string(), bp::std_out> files.out.string(),
                  bp::std_err > files.err.string(), ProviderChildSetup{}, spawn_error);
  if (spawn_error) throw ProviderError(what + ": cannot start /bin/sh: " + spawn_error.message());
  const pid_t pid = child.id();
  child.detach();
  const int timeout = options_.timeout_seconds > 0 ? options_.timeout_seconds : 300;
  const std::optional<int> status = WaitForExit(pid, std::chrono::seconds(timeout));
  if (!status) {
    ::kill(-pid, SIGKILL);  // the command and whatever it started
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    const std::string err = Tail(files.err);
    throw ProviderError(what + " timed out after " + std::to_string(timeout) + " s" +
                        (err.empty() ? "" : ": " + err));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    const std::string how = WIFEXITED(*status)
                                ? "exited with status " + std::to_string(WEXITSTATUS(*status))
                                : "was killed by signal " + std::to_string(WTERMSIG(*status));
    const std::string err = Tail(files.err);
    throw ProviderError(what + " " + how + (err.empty() ? "" : ": " + err));
  }
  return api::ReadTextFile(files.out).value_or("");
}

}  // namespace batchd::providers
