#pragma once
// Writes a job's log events back out as the job wrote them: stdout pieces to one stream,
// stderr pieces to the other, optionally with the time of the piece each line started in.
#include <ostream>

#include "batch/v1/batch_service.pb.h"

namespace batchd::cli {

class LogPrinter {
 public:
  LogPrinter(std::ostream& out, std::ostream& err, bool timestamps);

  void Print(const batch::v1::LogEvent& event);
  void Flush();

 private:
  struct Stream {
    std::ostream* os;
    bool at_line_start = true;
  };

  Stream out_;
  Stream err_;
  Stream* last_ = nullptr;
  const bool timestamps_;
};

}  // namespace batchd::cli
