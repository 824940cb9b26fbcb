#include "agent/executor/process_identity.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>

namespace batchd::agent {
namespace {

template <typename T>
bool ParseNumber(std::string_view& text, T* value) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (ec != std::errc()) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return true;
}

}  // namespace

std::string FormatProcessRecord(const ProcessRecord& record) {
  return std::to_string(record.pid) + " " + std::to_string(record.start_time) + " " +
         std::to_string(record.started_at_ms) + (record.cgroup.empty() ? "" : " " + record.cgroup) +
         "\n";
}

std::optional<ProcessRecord> ParseProcessRecord(std::string_view text) {
  ProcessRecord record;
  if (!ParseNumber(text, &record.pid) || !ParseNumber(text, &record.start_time) ||
      !ParseNumber(text, &record.started_at_ms) || record.pid <= 0) {
    return std::nullopt;
  }
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  record.cgroup = std::string(text.substr(0, text.find_first_of(" \n")));
  return record;
}

std::optional<ProcStat> ParseProcStat(std::string_view line) {
  const size_t close = line.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(close + 1);
  // Fields after the command: 3 state, 4 ppid, ..., 22 starttime.
  ProcStat stat;
  size_t field = 3;
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view token = rest.substr(0, end);
    if (field == 3 && !token.empty()) stat.state = token.front();
    if (field == 4) {
      std::string_view number = token;
      if (!ParseNumber(number, &stat.ppid)) return std::nullopt;
    }
    if (field == 22) {
      std::string_view number = token;
      if (!ParseNumber(number, &stat.start_time)) return std::nullopt;
      return stat;
    }
    rest.remove_prefix(end);
    ++field;
  }
  return std::nullopt;
}

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return ParseProcStat(std::string_view(buffer, static_cast<size_t>(n)));
}

bool IsSameProcess(const ProcessRecord& record) {
  const std::optional<ProcStat> stat = ReadProcStat(record.pid);
  return stat && stat->start_time == record.start_time;
}

}  // namespace batchd::agent
