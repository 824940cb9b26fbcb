#include "agent/program.h"

int main(int argc, char** argv) { return batchd::agent::RunBatchAgent(argc, argv); }
