#include "container_test_image.h"

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "agent/executor/run_tool.h"
#include "support/temp_dir.h"

namespace batchd::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto kTimeout = std::chrono::seconds(120);

const char* const kApplets[] = {"sh",   "echo", "cat",   "env",   "sleep", "true", "false",
                                "id",   "ls",   "mkdir", "touch", "dd",    "head", "tail",
                                "test", "pwd",  "kill",  "grep",  "wc",    "rm",   "stat"};

void BuildImage(const agent::ContainerRuntime& runtime) {
  const std::string busybox = "/bin/busybox";
  if (::access(busybox.c_str(), X_OK) != 0) {
    throw std::runtime_error(
        "the container tests need a static busybox at /bin/busybox "
        "(Debian: apt-get install busybox-static)");
  }
  TempDir dir;
  const fs::path root = dir.path() / "rootfs";
  for (const char* sub : {"bin", "etc", "tmp", "data", "scratch"})
    fs::create_directories(root / sub);
  fs::copy_file(busybox, root / "bin/busybox");
  for (const char* applet : kApplets) fs::create_symlink("busybox", root / "bin" / applet);
  {
    FILE* passwd = std::fopen((root / "etc/passwd").c_str(), "w");
    if (passwd == nullptr) throw std::runtime_error("writing the image's /etc/passwd");
    std::fputs("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n", passwd);
    std::fclose(passwd);
  }
  std::string command = "tar -C '" + root.string() + "' -c . | '" + runtime.path + "'";
  for (const std::string& arg : runtime.global_args) command += " '" + arg + "'";
  command += " import - " + std::string(kTestImage);
  const agent::ToolResult result = agent::RunTool({"/bin/sh", "-c", command}, kTimeout);
  if (result.exit_code != 0) {
    throw std::runtime_error("importing the test image failed: " + result.output);
  }
}

}  // namespace

agent::ContainerRuntime TestContainerRuntime() {
  agent::ContainerRuntimeSettings settings;
  settings.mode = "podman";
  try {
    return *agent::FindContainerRuntime(settings).runtime;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("the container tests need a working podman (Debian: "
                                         "apt-get install podman runc; see "
                                         "deploy/install-deps.sh): ") +
                             e.what());
  }
}

void EnsureTestImage(const agent::ContainerRuntime& runtime) {
  static std::once_flag once;
  std::call_once(once, [&] {
    if (agent::RunTool(runtime.Command({"image", "exists", kTestImage}), kTimeout).exit_code == 0) {
      return;
    }
    BuildImage(runtime);
  });
}

}  // namespace batchd::testing
