#include "cli/log_printer.h"

#include "cli/output.h"

namespace batchd::cli {

LogPrinter::LogPrinter(std::ostream& out, std::ostream& err, bool timestamps)
    : out_{&out}, err_{&err}, timestamps_(timestamps) {}

void LogPrinter::Print(const batch::v1::LogEvent& event) {
  Stream& s = event.stream() == "stderr" ? err_ : out_;
  // The two streams usually share a terminal: what came first must appear first.
  if (last_ != nullptr && last_ != &s) last_->os->flush();
  last_ = &s;
  const std::string& data = event.message();
  if (!timestamps_) {
    s.os->write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!data.empty()) s.at_line_start = data.back() == '\n';
    return;
  }
  const std::string prefix = FormatTimeMillis(event.timestamp()) + " ";
  size_t start = 0;
  while (start < data.size()) {
    if (s.at_line_start) *s.os << prefix;
    const size_t newline = data.find('\n', start);
    const size_t end = newline == std::string::npos ? data.size() : newline + 1;
    s.os->write(data.data() + start, static_cast<std::streamsize>(end - start));
    s.at_line_start = newline != std::string::npos;
    start = end;
  }
}

void LogPrinter::Flush() {
  out_.os->flush();
  err_.os->flush();
}

}  // namespace batchd::cli
