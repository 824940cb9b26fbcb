#pragma once
// A real BatchService: PostgreSQL database of its own, real gRPC on 127.0.0.1 port 0.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>

#include "batch/v1/batch_service.grpc.pb.h"
#include "core/clock.h"
#include "service/batch_service.h"
#include "service/control_plane.h"
#include "store/store.h"

namespace batchd::testing {

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Helpers that set up common resources and assert success.
  void CreateUnmanagedCe(const std::string& name);
  void CreateQueue(const std::string& name, const std::string& ce, int priority = 1);
  int RegisterDefinition(const std::string& name,
                         const std::vector<std::string>& command = {"true"});
  std::string Submit(const std::string& queue, const std::string& def,
                     const std::string& name = "job");
  batch::v1::JobDetail Describe(const std::string& id);

  std::unique_ptr<store::Store> store_;
  core::SystemClock clock_;
  std::unique_ptr<service::ControlPlane> plane_;
  std::unique_ptr<service::BatchServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<batch::v1::BatchService::Stub> stub_;
};

// Calls an RPC on the stub and returns its status.
#define CALL(Method, req, resp)                  \
  ([&] {                                         \
    grpc::ClientContext ctx__;                   \
    return stub_->Method(&ctx__, (req), (resp)); \
  }())

// Asserts a status code and that the message contains `fragment`.
#define EXPECT_STATUS(status, expected_code, fragment)                                       \
  do {                                                                                       \
    grpc::Status s__ = (status);                                                             \
    EXPECT_EQ(s__.error_code(), grpc::StatusCode::expected_code) << s__.error_message();     \
    EXPECT_NE(s__.error_message().find(fragment), std::string::npos) << s__.error_message(); \
  } while (0)

#define ASSERT_OK(status)                                                     \
  do {                                                                        \
    grpc::Status s__ = (status);                                              \
    ASSERT_TRUE(s__.ok()) << s__.error_code() << ": " << s__.error_message(); \
  } while (0)

}  // namespace batchd::testing
