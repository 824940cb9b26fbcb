#pragma once
// What batchctl prints: aligned tables for people, the API's JSON and YAML for scripts.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

namespace batchd::cli {

enum class OutputFormat { kTable, kJson, kYaml };

// "table", "json" or "yaml"; nullopt for anything else.
std::optional<OutputFormat> ParseOutputFormat(std::string_view text);

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  // Columns left-aligned, three spaces apart; the last column is not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// The message's JSON or YAML form (kTable is treated as YAML: a message has no table form).
void PrintMessage(std::ostream& out, const google::protobuf::Message& msg, OutputFormat format);

// Epoch milliseconds as "2025-01-31T12:00:00Z"; "-" for 0 (not set).
std::string FormatTime(int64_t epoch_ms);
// Epoch milliseconds as "2025-01-31T12:00:00.123Z" (log lines need sub-second order).
std::string FormatTimeMillis(int64_t epoch_ms);
// A duration in milliseconds, short: "850ms", "12.3s", "4m05s", "2h03m".
std::string FormatDuration(int64_t ms);
// How long ago, coarse, as listings show it: "3s ago", "5m ago", "2h ago", "3d ago"; "-"
// when `then_ms` is 0 (never).
std::string FormatAge(int64_t then_ms, int64_t now_ms);
// The name in an ARN ("arn:...:job-queue/high" -> "high"); other text unchanged.
std::string NameFromArn(std::string_view arn);
// Shortens to at most `max` characters, ending in "..." when cut.
std::string Truncate(std::string_view text, size_t max);
// argv as a shell would need it typed: words with spaces or quotes are single-quoted.
std::string ShellJoin(const std::vector<std::string>& words);

}  // namespace batchd::cli
