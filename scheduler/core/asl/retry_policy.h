#pragma once
// Which Retrier or Catcher handles an error, and how long a retry waits. The first whose
// ErrorEquals names the error wins; States.ALL matches every error but States.Runtime and
// States.DataLimitExceeded, which end the execution whatever the handlers say (recorded
// AWS behaviour); States.TaskFailed matches every error but States.Timeout (AWS guide).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/asl/definition.h"
#include "core/asl/random.h"

namespace batchd::asl {

// Errors no Retrier or Catcher may handle.
bool IsTerminalError(std::string_view error);

// Whether `error_equals` names `error`. `heartbeat` marks a missed heartbeat, which AWS
// reports as States.Timeout yet lets ErrorEquals name as States.HeartbeatTimeout too.
bool ErrorMatches(const std::vector<std::string>& error_equals, std::string_view error,
                  bool heartbeat = false);

// The index of the first retrier that names the error, or nullopt.
std::optional<size_t> MatchingRetrier(const std::vector<Retrier>& retriers, std::string_view error,
                                      bool heartbeat);
std::optional<size_t> MatchingCatcher(const std::vector<Catcher>& catchers, std::string_view error,
                                      bool heartbeat);

// The wait before retry number `retry` (0 for the first retry), in milliseconds:
// IntervalSeconds * BackoffRate^retry, capped at MaxDelaySeconds, then with FULL jitter a
// uniform pick in [0, that].
int64_t RetryDelayMillis(const Retrier& retrier, int retry, Random& random);

}  // namespace batchd::asl
