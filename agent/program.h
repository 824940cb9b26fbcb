#pragma once
// The batch-agent program: flags and config, logging, signals, the process executor and the
// agent's loop. main() only calls RunBatchAgent.

namespace batchd::agent {

// Exit codes: 0 drained, 1 fatal (join token rejected, ...), 2 bad flags, config or token file.
int RunBatchAgent(int argc, char** argv);

}  // namespace batchd::agent
