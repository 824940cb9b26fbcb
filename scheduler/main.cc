#include "server/server.h"

int main(int argc, char** argv) { return batchd::server::RunBatchd(argc, argv); }
