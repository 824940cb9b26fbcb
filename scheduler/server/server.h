#pragma once
// batchd's wiring: configuration, logging, the database (embedded or not), the store, the
// services and the gRPC server, until SIGTERM or SIGINT.
#include "config/batchd_config.h"

namespace batchd::server {

class ShutdownSignals;

// main(): parses the command line and runs. Exit code 0 after a clean shutdown, 1 when batchd
// cannot start (bad configuration, address in use, database unreachable) or its embedded
// PostgreSQL dies.
int RunBatchd(int argc, char** argv);

// Serves `config` until a shutdown signal; returns the exit code.
int Serve(const config::BatchdConfig& config, ShutdownSignals& signals);

}  // namespace batchd::server
