#include "core/retry.h"

#include <algorithm>
#include <vector>

namespace batchd::core {
namespace {

using batch::v1::EvaluateOnExit;
using batch::v1::RetryAction;

constexpr int kMaxAttempts = 10;
constexpr const char* kTimeoutReason = "Job attempt duration exceeded timeout";

RetryDecision Decision(RetryDecision::Action action, std::string reason) {
  RetryDecision decision;
  decision.action = action;
  decision.reason = std::move(reason);
  return decision;
}

// What ended the attempt, then its number: "exit code 3 (attempt 2 of 2)",
// "OutOfMemoryError: Container killed (killed by signal 9, attempt 1 of 1)".
std::string DescribeOutcome(const AttemptOutcome& outcome, int attempt, int attempts) {
  std::vector<std::string> facts;
  if (outcome.signal) facts.push_back("killed by signal " + std::to_string(*outcome.signal));
  if (outcome.exit_code) facts.push_back("exit code " + std::to_string(*outcome.exit_code));
  std::string what;
  if (!outcome.reason.empty()) {
    what = outcome.reason;
  } else if (!facts.empty()) {
    what = facts.front();
    facts.erase(facts.begin());
  } else if (!outcome.status_reason.empty()) {
    what = outcome.status_reason;
  } else {
    what = "ended without an exit status";
  }
  facts.push_back("attempt " + std::to_string(attempt) + " of " + std::to_string(attempts));
  std::string text = what + " (";
  for (size_t i = 0; i < facts.size(); ++i) text += (i == 0 ? "" : ", ") + facts[i];
  return text + ")";
}

bool RuleMatches(const EvaluateOnExit& rule, const AttemptOutcome& outcome) {
  if (!rule.on_status_reason().empty() &&
      !GlobMatches(rule.on_status_reason(), outcome.status_reason)) {
    return false;
  }
  if (!rule.on_reason().empty() && !GlobMatches(rule.on_reason(), outcome.reason)) return false;
  if (!rule.on_exit_code().empty()) {
    if (!outcome.exit_code) return false;
    if (!GlobMatches(rule.on_exit_code(), std::to_string(*outcome.exit_code))) return false;
  }
  return true;
}

// "evaluateOnExit rule 1 (onExitCode 3*)": numbered from 1 as users write them.
std::string RuleName(const EvaluateOnExit& rule, int index) {
  std::vector<std::string> parts;
  if (!rule.on_status_reason().empty())
    parts.push_back("onStatusReason " + rule.on_status_reason());
  if (!rule.on_reason().empty()) parts.push_back("onReason " + rule.on_reason());
  if (!rule.on_exit_code().empty()) parts.push_back("onExitCode " + rule.on_exit_code());
  std::string text = "evaluateOnExit rule " + std::to_string(index + 1) + " (";
  if (parts.empty()) return text + "no conditions)";
  for (size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? "" : ", ") + parts[i];
  return text + ")";
}

}  // namespace

bool GlobMatches(const std::string& pattern, const std::string& text) {
  if (!pattern.empty() && pattern.back() == '*') {
    return std::string_view(text).starts_with(
        std::string_view(pattern).substr(0, pattern.size() - 1));
  }
  return pattern == text;
}

RetryDecision DecideAfterAttempt(const batch::v1::RetryStrategy& strategy,
                                 const AttemptOutcome& outcome, int attempts_used,
                                 int infrastructure_retries, int max_infrastructure_retries) {
  using Action = RetryDecision::Action;
  const int attempts = std::clamp(strategy.attempts(), 1, kMaxAttempts);
  const int attempt = attempts_used + 1;
  const bool attempts_remain = attempt < attempts;

  if (outcome.cancelled) {
    return Decision(Action::kFail, outcome.reason.empty() ? "terminated" : outcome.reason);
  }
  // AWS Batch never retries an attempt that ran out of time.
  if (outcome.timed_out) {
    return Decision(Action::kFail, (outcome.reason.empty() ? kTimeoutReason : outcome.reason) +
                                       " (attempt " + std::to_string(attempt) + " of " +
                                       std::to_string(attempts) + ")");
  }
  if (outcome.exit_code == 0 && !outcome.signal) return Decision(Action::kSucceed, "");

  if (outcome.infrastructure) {
    const std::string what = outcome.reason.empty() ? "infrastructure failure" : outcome.reason;
    if (infrastructure_retries < max_infrastructure_retries) {
      RetryDecision decision =
          Decision(Action::kRetry, what + " (not the job's fault: infrastructure retry " +
                                       std::to_string(infrastructure_retries + 1) + " of " +
                                       std::to_string(max_infrastructure_retries) + ")");
      decision.counts_as_attempt = false;
      return decision;
    }
    return Decision(Action::kFail, what + " (gave up: the cap of " +
                                       std::to_string(max_infrastructure_retries) +
                                       " infrastructure retries was reached)");
  }

  const std::string described = DescribeOutcome(outcome, attempt, attempts);
  for (int i = 0; i < strategy.evaluate_on_exit_size(); ++i) {
    const EvaluateOnExit& rule = strategy.evaluate_on_exit(i);
    if (!RuleMatches(rule, outcome)) continue;
    switch (rule.action()) {
      case RetryAction::EXIT:
        return Decision(Action::kFail, RuleName(rule, i) + " says EXIT: " + described);
      case RetryAction::RETRY:
        if (attempts_remain) {
          return Decision(Action::kRetry, RuleName(rule, i) + " says RETRY: " + described);
        }
        return Decision(Action::kFail, RuleName(rule, i) + " says RETRY but all " +
                                           std::to_string(attempts) +
                                           " attempts are used: " + described);
      // Validation requires an action; a rule without one decides nothing.
      case RetryAction::RETRY_ACTION_UNSPECIFIED:
      case batch::v1::RetryAction_Value_RetryAction_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
      case batch::v1::RetryAction_Value_RetryAction_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
        continue;
    }
  }
  return Decision(attempts_remain ? Action::kRetry : Action::kFail, described);
}

}  // namespace batchd::core
