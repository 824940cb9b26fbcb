#include "cli/context.h"

namespace batchd::cli {

Client& Context::client() {
  if (!client_) {
    client_ =
        std::make_unique<Client>(NormalizeServerAddress(server), kConnectTimeout, kCallTimeout);
  }
  return *client_;
}

OutputFormat Context::Format(OutputFormat fallback) const {
  // The flag is checked while parsing, so only a valid name or nothing reaches here.
  return ParseOutputFormat(output).value_or(fallback);
}

}  // namespace batchd::cli
