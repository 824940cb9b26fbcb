#pragma once
// The container tests' runtime and image. The image is a static busybox and its applet links
// imported into the local store: no registry, no network. A machine without podman or
// busybox-static fails these tests with a message saying so (deploy/install-deps.sh installs
// both); they are never skipped.
#include <string>

#include "agent/executor/container_runtime.h"

namespace batchd::testing {

inline constexpr char kTestImage[] = "localhost/batchd-test-busybox:1";

// podman, checked to work. Throws std::runtime_error when it is missing or broken.
agent::ContainerRuntime TestContainerRuntime();

// Imports kTestImage unless it is there already (once per process). Throws.
void EnsureTestImage(const agent::ContainerRuntime& runtime);

}  // namespace batchd::testing
