#pragma once
// What every command shares: the global flags and, made on first use, the client.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "cli/client.h"
#include "cli/output.h"

namespace batchd::cli {

inline constexpr std::chrono::seconds kConnectTimeout{5};
inline constexpr std::chrono::seconds kCallTimeout{30};

class Context {
 public:
  std::string server{kDefaultServer};
  std::string output;  // empty: the command's own default

  // The chosen command, set while parsing and run after it; returns the exit code.
  std::function<int()> action;

  // Dials lazily, so commands that need no server (version, --help) never connect.
  Client& client();
  OutputFormat Format(OutputFormat fallback) const;

 private:
  std::unique_ptr<Client> client_;
};

}  // namespace batchd::cli
