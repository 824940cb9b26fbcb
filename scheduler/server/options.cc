#include "server/options.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <sstream>
#include <stdexcept>

namespace batchd::server {

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv) {
  ParsedCommandLine parsed;
  CommandLine& f = parsed.flags;
  CLI::App app("batchd: the batchd scheduler daemon (control-plane API, queues, PostgreSQL)",
               "batchd");
  // A later flag wins over an earlier one, as with most Unix tools (and wrapper scripts).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--config", f.config_file,
                 "YAML config file (keys: listen, database_url, data_dir, log_level, "
                 "agent_tokens, agent_token_file, node_lease_seconds, heartbeat_seconds, "
                 "kill_grace_seconds, log_limit_bytes, max_infrastructure_retries, "
                 "unplaceable_jobs, max_array_size, max_depends_on); flags override it");
  app.add_option("--listen", f.listen,
                 "address to serve the API on, HOST:PORT (default " +
                     config::BatchdConfig{}.listen + "; port 0 = any)");
  app.add_option("--data-dir", f.data_dir,
                 "state directory (default /var/lib/batchd as root, else "
                 "$XDG_DATA_HOME/batchd or ~/.local/share/batchd)");
  app.add_option("--database-url", f.database_url,
                 "PostgreSQL connection string or URL (default: an embedded cluster in "
                 "<data-dir>/postgres)");
  app.add_option("--agent-token-file", f.agent_token_file,
                 "file of join tokens agents must present, one per line (default: the config's, "
                 "else one generated into <data-dir>/agent-token)");
  app.add_option(
      "--log-level", f.log_level, "one of " + [] {
        std::string s;
        for (const std::string& l : config::LogLevels()) s += (s.empty() ? "" : ", ") + l;
        return s;
      }() + " (default info)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    const int code = app.exit(e, out, err);
    parsed.exit_code = code == 0 ? 0 : 1;
    parsed.message = out.str() + err.str();
  }
  return parsed;
}

void ValidateListenAddress(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  const auto bad = [&](const std::string& why) {
    throw std::runtime_error("listen address \"" + listen + "\" " + why +
                             " (expected HOST:PORT, e.g. 127.0.0.1:7100)");
  };
  if (colon == std::string::npos || colon == 0) bad("has no host");
  const std::string port = listen.substr(colon + 1);
  int value = -1;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 0 ||
      value > 65535) {
    bad("has no valid port");
  }
}

config::BatchdConfig ResolveConfig(const CommandLine& flags) {
  config::BatchdConfig cfg;
  if (!flags.config_file.empty()) cfg = config::LoadBatchdConfigFile(flags.config_file);
  if (flags.listen) cfg.listen = *flags.listen;
  if (flags.database_url) cfg.database_url = *flags.database_url;
  if (flags.data_dir) cfg.data_dir = *flags.data_dir;
  if (flags.log_level) cfg.log_level = *flags.log_level;
  if (flags.agent_token_file) cfg.agent_token_file = *flags.agent_token_file;

  config::ValidateLogLevel(cfg.log_level);
  ValidateListenAddress(cfg.listen);
  if (cfg.data_dir.empty()) cfg.data_dir = config::DefaultBatchdDataDir();
  cfg.data_dir = std::filesystem::absolute(cfg.data_dir).lexically_normal();
  return cfg;
}

}  // namespace batchd::server
