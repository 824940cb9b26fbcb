#pragma once

namespace batchd::cli {

// batchctl's whole life: parse the command line, run the command, return the exit code.
int Run(int argc, const char* const* argv);

}  // namespace batchd::cli
