#include "service/states_service.h"

#include "service/batch_service.h"

namespace batchd::service {

#define BATCHD_RPC(Name)                                                                          \
  grpc::Status StatesServiceImpl::Name(grpc::ServerContext*, const batch::v1::Name##Request* req, \
                                       batch::v1::Name##Response* resp) {                         \
    try {                                                                                         \
      *resp = handlers_.Name(*req);                                                               \
      return grpc::Status::OK;                                                                    \
    } catch (...) {                                                                               \
      return StatusFromCurrentException();                                                        \
    }                                                                                             \
  }
BATCHD_STATES_RPCS(BATCHD_RPC)
#undef BATCHD_RPC

}  // namespace batchd::service
