#include "cli/client.h"

#include <algorithm>
#include <cctype>

#include "cli/errors.h"

namespace batchd::cli {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Seconds(std::chrono::milliseconds d) {
  const auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// gRPC's connect failures read like "failed to connect to all addresses; last error: UNKNOWN:
// ipv4:127.0.0.1:7100: Failed to connect to remote host: Connection refused": keep the cause.
std::string ConnectFailure(const std::string& message) {
  const std::string lower = Lower(message);
  if (lower.find("connection refused") != std::string::npos) return "connection refused";
  if (lower.find("dns resolution failed") != std::string::npos ||
      lower.find("name or service not known") != std::string::npos) {
    return "cannot resolve the host name";
  }
  if (lower.find("no route to host") != std::string::npos) return "no route to host";
  if (lower.find("no such file or directory") != std::string::npos) return "no such socket";
  return message;
}

}  // namespace

std::string NormalizeServerAddress(std::string_view address) {
  std::string a(address);
  if (a.starts_with("unix:") || a.starts_with("dns:") || a.starts_with("ipv4:") ||
      a.starts_with("ipv6:")) {
    return a;
  }
  const auto bracket = a.rfind(']');
  const auto colon = a.rfind(':');
  const bool has_port =
      colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  return has_port ? a : a + ":" + std::string(kDefaultServer.substr(kDefaultServer.rfind(':') + 1));
}

Client::Client(std::string address, std::chrono::milliseconds connect_timeout,
               std::chrono::milliseconds call_timeout)
    : address_(std::move(address)),
      connect_timeout_(connect_timeout),
      call_timeout_(call_timeout),
      channel_(grpc::CreateChannel(address_, grpc::InsecureChannelCredentials())),
      stub_(batch::v1::BatchService::NewStub(channel_)),
      states_stub_(batch::v1::StatesService::NewStub(channel_)) {}

void Client::Prepare(grpc::ClientContext* ctx, std::chrono::milliseconds timeout) {
  if (!reached_) {
    // Waiting for READY ourselves bounds how long an unreachable address can stall us; a
    // refused connection shows as TRANSIENT_FAILURE at once and the call itself then fails
    // fast with gRPC's reason.
    const auto deadline = std::chrono::system_clock::now() + connect_timeout_;
    grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
    while (state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_TRANSIENT_FAILURE &&
           state != GRPC_CHANNEL_SHUTDOWN) {
      if (!channel_->WaitForStateChange(state, deadline)) {
        throw CliError(Unreachable("no answer within " + Seconds(connect_timeout_)));
      }
      state = channel_->GetState(true);
    }
    reached_ = state == GRPC_CHANNEL_READY;
  }
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
}

std::string Client::Unreachable(std::string_view why) const {
  return "cannot reach batchd at " + address_ + ": " + std::string(why) +
         " (is batchd running? set --server or BATCHD_ADDR)";
}

void Client::Fail(const grpc::Status& status, std::chrono::milliseconds timeout) const {
  const std::string& msg = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      if (!reached_) throw CliError(Unreachable(ConnectFailure(msg)));
      throw CliError("batchd at " + address_ + " is unavailable: " + msg);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      throw CliError("batchd at " + address_ + " did not answer within " + Seconds(timeout));
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      throw CliError("invalid request: " + msg);
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      throw CliError(msg);
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      throw CliError("not allowed by batchd: " + msg);
    case grpc::StatusCode::UNIMPLEMENTED:
      throw CliError("batchd at " + address_ + " does not support this request (" + msg +
                     "); is it older than batchctl?");
    case grpc::StatusCode::CANCELLED:
      throw CliError("request cancelled: " + msg);
    case grpc::StatusCode::OK:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::DO_NOT_USE:
      break;
  }
  throw CliError("batchd failed: " + msg);
}

}  // namespace batchd::cli
