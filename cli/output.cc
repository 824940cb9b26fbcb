#include "cli/output.h"

#include <algorithm>
#include <ctime>

#include "api/json_yaml.h"

namespace batchd::cli {

std::optional<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "yaml") return OutputFormat::kYaml;
  return std::nullopt;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) widths[c] = headers_[c].size();
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 3, ' ');
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
