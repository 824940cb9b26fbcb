#pragma once
// What happens after an attempt ends, as AWS Batch defines retryStrategy: evaluateOnExit
// rules are tried in order (onStatusReason, onReason, onExitCode globs; all given ones must
// match); the first match decides RETRY or EXIT; with no match a failed attempt is retried
// while attempts remain. Infrastructure failures (node lost, agent restarted) are retried
// without using up an attempt, up to a cap.
#include <cstdint>
#include <optional>
#include <string>

#include "batch/v1/types.pb.h"

namespace batchd::core {

struct AttemptOutcome {
  std::optional<int> exit_code;  // absent when killed by a signal or never started
  std::optional<int> signal;
  std::string reason;           // the attempt's container reason (e.g. "OutOfMemoryError: ...")
  std::string status_reason;    // the attempt's status reason (e.g. "Essential container ...")
  bool infrastructure = false;  // node lost, agent restart: not the job's fault
  bool cancelled = false;       // terminated by a user: never retried
  bool timed_out = false;       // attempt duration exceeded the job's timeout: never retried
};

struct RetryDecision {
  enum class Action { kSucceed, kRetry, kFail };
  Action action = Action::kFail;
  bool counts_as_attempt = true;  // false for infrastructure retries
  std::string reason;             // the job's statusReason when it fails
};

// `attempts_used`: earlier attempts that counted (not infrastructure), not including this one.
// `infrastructure_retries`: earlier attempts that did not count.
RetryDecision DecideAfterAttempt(const batch::v1::RetryStrategy& strategy,
                                 const AttemptOutcome& outcome, int attempts_used,
                                 int infrastructure_retries, int max_infrastructure_retries);

// AWS's glob: letters, digits, '.', ':', ' ' and a trailing '*' (onExitCode: digits and a
// trailing '*'). Case-sensitive as AWS is.
bool GlobMatches(const std::string& pattern, const std::string& text);

}  // namespace batchd::core
