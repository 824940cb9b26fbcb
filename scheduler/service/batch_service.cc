#include "service/batch_service.h"

#include "api/api_error.h"

namespace batchd::service {

grpc::Status StatusFromCurrentException() {
  try {
    throw;
  } catch (const api::ApiError& e) {
    grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
    switch (e.code()) {
      case api::ErrorCode::kInvalidArgument:
        code = grpc::StatusCode::INVALID_ARGUMENT;
        break;
      case api::ErrorCode::kNotFound:
        code = grpc::StatusCode::NOT_FOUND;
        break;
      case api::ErrorCode::kAlreadyExists:
        code = grpc::StatusCode::ALREADY_EXISTS;
        break;
      case api::ErrorCode::kFailedPrecondition:
        code = grpc::StatusCode::FAILED_PRECONDITION;
        break;
      case api::ErrorCode::kAborted:
        code = grpc::StatusCode::ABORTED;
        break;
      case api::ErrorCode::kUnavailable:
        code = grpc::StatusCode::UNAVAILABLE;
        break;
      case api::ErrorCode::kUnauthenticated:
        code = grpc::StatusCode::UNAUTHENTICATED;
        break;
      case api::ErrorCode::kResourceExhausted:
        code = grpc::StatusCode::RESOURCE_EXHAUSTED;
        break;
      case api::ErrorCode::kInternal:
        code = grpc::StatusCode::INTERNAL;
        break;
    }
    return grpc::Status(code, e.what());
  } catch (const std::exception& e) {
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string("internal error: ") + e.what());
  }
}

grpc::ServerUnaryReactor* BatchServiceImpl::SubmitJob(grpc::CallbackServerContext* ctx,
                                                      const batch::v1::SubmitJobRequest* req,
                                                      batch::v1::SubmitJobResponse* resp) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  try {
    // gRPC keeps resp alive until Finish.
    plane_.SubmitJobAsync(*req, [reactor, resp](const batch::v1::SubmitJobResponse* answer,
                                                std::exception_ptr error) {
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (...) {
          reactor->Finish(StatusFromCurrentException());
        }
        return;
      }
      *resp = *answer;
      reactor->Finish(grpc::Status::OK);
    });
  } catch (...) {
    reactor->Finish(StatusFromCurrentException());
  }
  return reactor;
}

#define BATCHD_RPC(Name)                                                                         \
  grpc::Status BatchServiceImpl::Name(grpc::ServerContext*, const batch::v1::Name##Request* req, \
                                      batch::v1::Name##Response* resp) {                         \
    try {                                                                                        \
      *resp = plane_.Name(*req);                                                                 \
      return grpc::Status::OK;                                                                   \
    } catch (...) {                                                                              \
      return StatusFromCurrentException();                                                       \
    }                                                                                            \
  }
BATCHD_BATCH_RPCS(BATCHD_RPC)
#undef BATCHD_RPC

#define BATCHD_RPC(Name, Req, Resp)                                                    \
  grpc::Status BatchServiceImpl::Name(grpc::ServerContext*, const batch::v1::Req* req, \
                                      batch::v1::Resp* resp) {                         \
    try {                                                                              \
      *resp = plane_.Name(*req);                                                       \
      return grpc::Status::OK;                                                         \
    } catch (...) {                                                                    \
      return StatusFromCurrentException();                                             \
    }                                                                                  \
  }
BATCHD_SCHEDULE_RPCS(BATCHD_RPC)
#undef BATCHD_RPC

}  // namespace batchd::service
