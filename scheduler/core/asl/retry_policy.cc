#include "core/asl/retry_policy.h"

#include <algorithm>
#include <cmath>

#include "core/asl/states_error.h"

namespace batchd::asl {

bool IsTerminalError(std::string_view error) {
  return error == errors::kRuntime || error == errors::kDataLimitExceeded;
}

bool ErrorMatches(const std::vector<std::string>& error_equals, std::string_view error,
                  bool heartbeat) {
  if (IsTerminalError(error)) return false;
  for (const auto& name : error_equals) {
    if (name == error || name == errors::kAll) return true;
    if (name == errors::kTaskFailed && error != errors::kTimeout) return true;
    if (heartbeat && name == errors::kHeartbeatTimeout) return true;
  }
  return false;
}

std::optional<size_t> MatchingRetrier(const std::vector<Retrier>& retriers, std::string_view error,
                                      bool heartbeat) {
  for (size_t i = 0; i < retriers.size(); ++i) {
    if (ErrorMatches(retriers[i].error_equals, error, heartbeat)) return i;
  }
  return std::nullopt;
}

std::optional<size_t> MatchingCatcher(const std::vector<Catcher>& catchers, std::string_view error,
                                      bool heartbeat) {
  for (size_t i = 0; i < catchers.size(); ++i) {
    if (ErrorMatches(catchers[i].error_equals, error, heartbeat)) return i;
  }
  return std::nullopt;
}

int64_t RetryDelayMillis(const Retrier& retrier, int retry, Random& random) {
  double seconds = retrier.interval_seconds * std::pow(retrier.backoff_rate, retry);
  if (retrier.max_delay_seconds) seconds = std::min(seconds, double(*retrier.max_delay_seconds));
  // A year is past any definition's timeout; the cap keeps the product finite.
  seconds = std::min(seconds, 366.0 * 86400);
  if (retrier.full_jitter) seconds *= random.NextUnit();
  return static_cast<int64_t>(std::llround(seconds * 1000));
}

}  // namespace batchd::asl
