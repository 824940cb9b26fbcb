#pragma once
// The connection to batchd: one channel, a deadline on every call, and every failed call
// turned into a CliError whose message a person can act on.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <grpcpp/grpcpp.h>

#include "batch/v1/batch_service.grpc.pb.h"
#include "batch/v1/states.grpc.pb.h"

namespace batchd::cli {

inline constexpr std::string_view kDefaultServer = "localhost:7100";

// "host" gets batchd's default port; "host:port", "[v6]:port" and "unix:..." pass unchanged.
std::string NormalizeServerAddress(std::string_view address);

class Client {
 public:
  using Stub = batch::v1::BatchService::Stub;
  using StatesStub = batch::v1::StatesService::Stub;

  Client(std::string address, std::chrono::milliseconds connect_timeout,
         std::chrono::milliseconds call_timeout);

  const std::string& address() const { return address_; }

  // client.Call(&Client::Stub::DescribeJobs, request) returns the response or throws CliError;
  // the workflow calls go the same way (&Client::StatesStub::StartExecution).
  template <typename S, typename Req, typename Resp>
  Resp Call(grpc::Status (S::*method)(grpc::ClientContext*, const Req&, Resp*),
            const std::type_identity_t<Req>& request) {
    return Call(method, request, call_timeout_);
  }

  // With its own deadline: for calls that the server may hold open longer than the usual one
  // (GetActivityTask waits up to 60 s for a task).
  template <typename S, typename Req, typename Resp>
  Resp Call(grpc::Status (S::*method)(grpc::ClientContext*, const Req&, Resp*),
            const std::type_identity_t<Req>& request, std::chrono::milliseconds timeout) {
    grpc::ClientContext ctx;
    Prepare(&ctx, timeout);
    Resp response;
    grpc::Status status = (StubOf<S>()->*method)(&ctx, request, &response);
    if (!status.ok()) Fail(status, timeout);
    return response;
  }

 private:
  template <typename S>
  S* StubOf() {
    if constexpr (std::is_same_v<S, StatesStub>) {
      return states_stub_.get();
    } else {
      return stub_.get();
    }
  }
  void Prepare(grpc::ClientContext* ctx, std::chrono::milliseconds timeout);
  [[noreturn]] void Fail(const grpc::Status& status, std::chrono::milliseconds timeout) const;
  std::string Unreachable(std::string_view why) const;

  std::string address_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds call_timeout_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
  std::unique_ptr<StatesStub> states_stub_;
  bool reached_ = false;  // the channel was READY once: later failures are not "cannot reach"
};

}  // namespace batchd::cli
