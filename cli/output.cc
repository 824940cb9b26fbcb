#include "cli/output.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "api/json_yaml.h"

namespace batchd::cli {

std::optional<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "yaml") return OutputFormat::kYaml;
  return std::nullopt;
}

namespace {

// Columns are counted in characters, not bytes: a cell may hold UTF-8 ("…" in a task token).
size_t Width(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) widths[c] = Width(headers_[c]);
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], Width(row[c]));
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - Width(row[c]) + 3, ' ');
    }
    // A blank last cell would leave padding at the end of the line.
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };
  print_row(headers_);
  for (const auto& row : rows_) print_row(row);
}

void PrintMessage(std::ostream& out, const google::protobuf::Message& msg, OutputFormat format) {
  switch (format) {
    case OutputFormat::kJson:
      out << api::ToJson(msg);
      return;
    case OutputFormat::kTable:
    case OutputFormat::kYaml:
      out << api::ToYaml(msg);
      return;
  }
}

std::string FormatTime(int64_t epoch_ms) {
  if (epoch_ms <= 0) return "-";
  const std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatTimeMillis(int64_t epoch_ms) {
  const std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(epoch_ms % 1000));
  return std::string(buf) + millis;
}

std::string FormatDuration(int64_t ms) {
  if (ms < 0) ms = 0;
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms / 100) / 10);
  } else if (ms < 3'600'000) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  }
  return buf;
}

std::string FormatAge(int64_t then_ms, int64_t now_ms) {
  if (then_ms <= 0) return "-";
  // A clock a little ahead of ours still reads as "just now".
  const int64_t s = std::max<int64_t>(0, now_ms - then_ms) / 1000;
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 2 * 3600) return std::to_string(s / 60) + "m ago";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h ago";
  return std::to_string(s / 86400) + "d ago";
}

std::string NameFromArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return std::string(arn);
  const auto slash = arn.find('/');
  return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

std::string Truncate(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  if (max <= 3) return std::string(text.substr(0, max));
  return std::string(text.substr(0, max - 3)) + "...";
}

std::string ShellJoin(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    const bool plain = !w.empty() && w.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos;
    if (plain) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace batchd::cli
