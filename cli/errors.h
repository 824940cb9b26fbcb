#pragma once
// How batchctl fails: commands throw CliError; main prints "batchctl: <message>" on stderr and
// exits with its code. Scripts rely on the codes, so they are fixed here.
#include <stdexcept>
#include <string>

namespace batchd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
// Bad command line, and `batchctl wait` running out of time.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTimeout = 2;

class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& message, int exit_code = kExitFailure)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace batchd::cli
