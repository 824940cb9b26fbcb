#include "server/join_tokens.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <sstream>
#include <stdexcept>

#include "api/text.h"

namespace batchd::server {
namespace {

std::vector<std::string> ReadTokenFile(const std::filesystem::path& path) {
  const auto text = api::ReadTextFile(path);
  if (!text) throw std::runtime_error("cannot read the agent token file " + path.string());
  std::vector<std::string> tokens;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    line = api::Trimmed(line);
    if (!line.empty() && line[0] != '#') tokens.push_back(std::move(line));
  }
  if (tokens.empty())
    throw std::runtime_error("the agent token file " + path.string() + " holds no token");
  return tokens;
}

std::string RandomToken() {
  std::random_device device;  // the kernel's CSPRNG on Linux
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 8; ++i) {
    uint32_t word = device();
    for (int j = 0; j < 8; ++j, word >>= 4) token += kHex[word & 0xf];
  }
  return token;
}

// Written aside and renamed, created private from the start: a token is never readable by
// others, even briefly, and never half-written.
void WritePrivateFile(const std::filesystem::path& path, const std::string& content) {
  const auto temp = path.string() + ".new";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + temp);
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write " + temp);
  std::filesystem::rename(temp, path);
}

}  // namespace

std::filesystem::path LocalAgentTokenFile(const std::filesystem::path& data_dir,
                                          const std::string& token) {
  const auto path = data_dir / "local-agent-token";
  WritePrivateFile(path, token + "\n");
  return path;
}

std::filesystem::path GeneratedTokenFile(const std::filesystem::path& data_dir) {
  return data_dir / "agent-token";
}

std::vector<std::string> LoadJoinTokens(const config::BatchdConfig& config) {
  std::vector<std::string> tokens = config.agent_tokens;
  if (!config.agent_token_file.empty()) {
    for (auto& token : ReadTokenFile(config.agent_token_file)) tokens.push_back(std::move(token));
  }
  if (!tokens.empty()) return tokens;
  const auto path = GeneratedTokenFile(config.data_dir);
  if (std::filesystem::exists(path)) return ReadTokenFile(path);
  const std::string token = RandomToken();
  WritePrivateFile(path, token + "\n");
  return {token};
}

}  // namespace batchd::server
