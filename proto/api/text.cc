#include "api/text.h"

#include <fstream>
#include <sstream>

namespace batchd::api {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

}  // namespace

std::string Trimmed(std::string_view text) {
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(kSpace) - begin + 1));
}

std::string FirstLine(std::string_view text) {
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string line = Trimmed(text.substr(0, end));
    if (!line.empty() || end == std::string_view::npos) return line;
    text.remove_prefix(end + 1);
  }
  return "";
}

std::optional<std::string> ReadTextFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

}  // namespace batchd::api
