#include "cli/log_printer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace batchd::cli {
namespace {

batch::v1::LogEvent Event(const std::string& stream, const std::string& text, int64_t at = 0) {
  batch::v1::LogEvent e;
  e.set_stream(stream);
  e.set_message(text);
  e.set_timestamp(at);
  return e;
}

TEST(LogPrinter, SendsEachStreamToItsOwnOutputUnchanged) {
  std::ostringstream out, err;
  LogPrinter printer(out, err, false);
  printer.Print(Event("stdout", "hel"));
  printer.Print(Event("stderr", "oops\n"));
  printer.Print(Event("stdout", std::string("lo\0\n", 4)));
  EXPECT_EQ(out.str(), std::string("hello\0\n", 7));
  EXPECT_EQ(err.str(), "oops\n");
}

TEST(LogPrinter, TimestampsMarkEachLineWithThePieceItStartedIn) {
  std::ostringstream out, err;
  LogPrinter printer(out, err, true);
  const int64_t t0 = 1700000000123;
  printer.Print(Event("stdout", "one\ntw", t0));
  printer.Print(Event("stderr", "e1\n", t0 + 1));
  printer.Print(Event("stdout", "o\nthree\n", t0 + 2000));
  printer.Print(Event("stdout", "", t0 + 3000));
  printer.Print(Event("stdout", "four", t0 + 4000));
  EXPECT_EQ(out.str(),
            "2023-11-14T22:13:20.123Z one\n"
            "2023-11-14T22:13:20.123Z two\n"
            "2023-11-14T22:13:22.123Z three\n"
            "2023-11-14T22:13:24.123Z four");
  EXPECT_EQ(err.str(), "2023-11-14T22:13:20.124Z e1\n");
}

}  // namespace
}  // namespace batchd::cli
