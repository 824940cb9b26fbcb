// batchctl: the command line of batchd. Everything lives in cli::Run.
#include "cli/app.h"

int main(int argc, char** argv) { return batchd::cli::Run(argc, argv); }
