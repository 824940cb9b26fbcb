#include "core/retry.h"

#include <gtest/gtest.h>

namespace batchd::core {
namespace {

using batch::v1::RetryAction;
using batch::v1::RetryStrategy;
using Action = RetryDecision::Action;

TEST(GlobMatches, ExactOrTrailingStarPrefix) {
  struct Case {
    const char* pattern;
    const char* text;
    bool matches;
  };
  for (const Case& c : {
           Case{"3", "3", true},
           Case{"3", "30", false},
           Case{"3*", "30", true},
           Case{"3*", "3", true},
           Case{"3*", "13", false},
           Case{"*", "", true},
           Case{"*", "anything at all", true},
           Case{"", "", true},
           Case{"", "x", false},
           Case{"Host EC2*", "Host EC2 (instance i-1) terminated.", true},
           Case{"host ec2*", "Host EC2 (instance i-1) terminated.", false},
           Case{"OutOfMemoryError: Container killed*", "OutOfMemoryError: Container killed", true},
           Case{"a*b", "a*b", true},
           Case{"a*b", "axb", false},
           Case{"abc*", "ab", false},
       }) {
    EXPECT_EQ(GlobMatches(c.pattern, c.text), c.matches) << c.pattern << " vs " << c.text;
  }
}

RetryStrategy Strategy(
    int attempts,
    std::vector<std::tuple<std::string, std::string, std::string, RetryAction::Value>> rules = {}) {
  RetryStrategy s;
  s.set_attempts(attempts);
  for (const auto& [status_reason, reason, exit_code, action] : rules) {
    auto* rule = s.add_evaluate_on_exit();
    rule->set_on_status_reason(status_reason);
    rule->set_on_reason(reason);
    rule->set_on_exit_code(exit_code);
    rule->set_action(action);
  }
  return s;
}

AttemptOutcome Exit(int code, std::string reason = "") {
  AttemptOutcome o;
  o.exit_code = code;
  o.reason = std::move(reason);
  o.status_reason = o.reason.empty() ? "exited with code " + std::to_string(code) : o.reason;
  return o;
}

AttemptOutcome Signal(int signal, std::string reason = "") {
  AttemptOutcome o;
  o.signal = signal;
  o.reason = std::move(reason);
  o.status_reason = o.reason.empty() ? "killed by signal " + std::to_string(signal) : o.reason;
  return o;
}

TEST(DecideAfterAttempt, Table) {
  const auto RETRY = RetryAction::RETRY;
  const auto EXIT = RetryAction::EXIT;
  AttemptOutcome cancelled = Signal(15);
  cancelled.cancelled = true;
  cancelled.reason = "Terminated by user: wrong input";
  AttemptOutcome cancelled_ok = Exit(0);
  cancelled_ok.cancelled = true;
  AttemptOutcome timed_out = Signal(9);
  timed_out.timed_out = true;
  AttemptOutcome lost;
  lost.infrastructure = true;
  lost.reason = "node n1 lost";
  AttemptOutcome launch_failed;
  launch_failed.reason = "CannotPullContainerError: no such image";
  launch_failed.status_reason = launch_failed.reason;

  struct Case {
    const char* name;
    RetryStrategy strategy;
    AttemptOutcome outcome;
    int attempts_used;
    int infrastructure_retries;
    Action action;
    bool counts;
    std::string reason;
  };
  const Case cases[] = {
      {"success", Strategy(0), Exit(0), 0, 0, Action::kSucceed, true, ""},
      {"success ignores rules", Strategy(3, {{"", "", "0", EXIT}}), Exit(0), 0, 0, Action::kSucceed,
       true, ""},
      {"unset attempts means one", Strategy(0), Exit(3), 0, 0, Action::kFail, true,
       "exit code 3 (attempt 1 of 1)"},
      {"retry while attempts remain", Strategy(2), Exit(3), 0, 0, Action::kRetry, true,
       "exit code 3 (attempt 1 of 2)"},
      {"last attempt fails", Strategy(2), Exit(3), 1, 0, Action::kFail, true,
       "exit code 3 (attempt 2 of 2)"},
      {"more than ten attempts count as ten", Strategy(50), Exit(1), 9, 0, Action::kFail, true,
       "exit code 1 (attempt 10 of 10)"},
      {"signal", Strategy(1), Signal(9), 0, 0, Action::kFail, true,
       "killed by signal 9 (attempt 1 of 1)"},
      {"reason comes first", Strategy(1), Signal(9, "OutOfMemoryError: Container killed"), 0, 0,
       Action::kFail, true,
       "OutOfMemoryError: Container killed (killed by signal 9, attempt 1 of 1)"},
      {"no exit status", Strategy(1), AttemptOutcome{}, 0, 0, Action::kFail, true,
       "ended without an exit status (attempt 1 of 1)"},
      {"exit rule on exit code", Strategy(3, {{"", "", "3*", EXIT}}), Exit(31), 0, 0, Action::kFail,
       true, "evaluateOnExit rule 1 (onExitCode 3*) says EXIT: exit code 31 (attempt 1 of 3)"},
      {"exit code rule needs an exit code", Strategy(3, {{"", "", "*", EXIT}}), Signal(9), 0, 0,
       Action::kRetry, true, "killed by signal 9 (attempt 1 of 3)"},
      {"rules in order, first match decides",
       Strategy(3, {{"", "", "1", RETRY}, {"", "*", "", EXIT}}), Exit(1), 0, 0, Action::kRetry,
       true, "evaluateOnExit rule 1 (onExitCode 1) says RETRY: exit code 1 (attempt 1 of 3)"},
      {"catch-all exit", Strategy(3, {{"", "", "1", RETRY}, {"", "*", "", EXIT}}), Exit(2), 0, 0,
       Action::kFail, true,
       "evaluateOnExit rule 2 (onReason *) says EXIT: exit code 2 (attempt 1 of 3)"},
      {"retry rule with no attempts left", Strategy(2, {{"", "", "1", RETRY}}), Exit(1), 1, 0,
       Action::kFail, true,
       "evaluateOnExit rule 1 (onExitCode 1) says RETRY but all 2 attempts are used: exit code 1 "
       "(attempt 2 of 2)"},
      {"all conditions must match",
       Strategy(3, {{"Host EC2*", "", "1", EXIT}, {"exited*", "", "", EXIT}}), Exit(1), 0, 0,
       Action::kFail, true,
       "evaluateOnExit rule 2 (onStatusReason exited*) says EXIT: exit code 1 (attempt 1 of 3)"},
      {"no rule matches: retried", Strategy(3, {{"", "Nope*", "", EXIT}}), Exit(1), 0, 0,
       Action::kRetry, true, "exit code 1 (attempt 1 of 3)"},
      {"launch failure matched on reason", Strategy(3, {{"", "CannotPull*", "", EXIT}}),
       launch_failed, 0, 0, Action::kFail, true,
       "evaluateOnExit rule 1 (onReason CannotPull*) says EXIT: CannotPullContainerError: no "
       "such image (attempt 1 of 3)"},
      {"cancelled never retried", Strategy(5, {{"", "*", "", RETRY}}), cancelled, 0, 0,
       Action::kFail, true, "Terminated by user: wrong input"},
      {"cancelled beats exit 0", Strategy(1), cancelled_ok, 0, 0, Action::kFail, true,
       "terminated"},
      {"timeout never retried", Strategy(5), timed_out, 0, 0, Action::kFail, true,
       "Job attempt duration exceeded timeout (attempt 1 of 5)"},
      {"infrastructure retry does not count", Strategy(1), lost, 0, 2, Action::kRetry, false,
       "node n1 lost (not the job's fault: infrastructure retry 3 of 5)"},
      {"infrastructure cap", Strategy(3), lost, 0, 5, Action::kFail, true,
       "node n1 lost (gave up: the cap of 5 infrastructure retries was reached)"},
  };
  for (const Case& c : cases) {
    const RetryDecision d =
        DecideAfterAttempt(c.strategy, c.outcome, c.attempts_used, c.infrastructure_retries, 5);
    EXPECT_EQ(d.action, c.action) << c.name;
    EXPECT_EQ(d.counts_as_attempt, c.counts) << c.name;
    EXPECT_EQ(d.reason, c.reason) << c.name;
  }
}

}  // namespace
}  // namespace batchd::core
