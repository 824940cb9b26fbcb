#pragma once
// The join tokens agents must present: from the config, from a token file, or — with
// neither — one generated once into the data directory (mode 0600) for local agents.
#include <filesystem>
#include <string>
#include <vector>

#include "config/batchd_config.h"

namespace batchd::server {

// Throws std::runtime_error naming the file (never a token) when a token file is unreadable
// or empty.
std::vector<std::string> LoadJoinTokens(const config::BatchdConfig& config);

// <data_dir>/local-agent-token, holding `token` (mode 0600): what the agents batchd starts
// itself (the local node provider) present.
std::filesystem::path LocalAgentTokenFile(const std::filesystem::path& data_dir,
                                          const std::string& token);

// <data_dir>/agent-token.
std::filesystem::path GeneratedTokenFile(const std::filesystem::path& data_dir);

}  // namespace batchd::server
