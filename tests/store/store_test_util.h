#pragma once
// Fixture and builders shared by the store tests: each test gets its own empty database.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "api/api_error.h"
#include "api/names.h"
#include "store/store.h"
#include "support/postgres_env.h"

namespace batchd::store {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = batchd::testing::FreshDatabaseUrl();
    store_ = std::make_unique<Store>(url_, 4);
  }

  // A count straight from the database, bypassing the store.
  int64_t Count(const std::string& sql) {
    pqxx::connection conn(url_);
    pqxx::work txn(conn);
    return txn.exec1(sql)[0].as<int64_t>();
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

inline batch::v1::ComputeEnvironmentDetail MakeCe(
    const std::string& name, batch::v1::CEState::Value state = batch::v1::CEState::ENABLED) {
  batch::v1::ComputeEnvironmentDetail ce;
  ce.set_compute_environment_name(name);
  ce.set_compute_environment_arn(api::MakeArn(api::kComputeEnvironmentKind, name));
  ce.set_type(batch::v1::CEType::MANAGED);
  ce.set_state(state);
  ce.set_status(batch::v1::CEStatus::VALID);
  ce.mutable_compute_resources()->set_maxv_cpus(16);
  return ce;
}

inline batch::v1::JobQueueDetail MakeQueue(
    const std::string& name, const std::vector<std::string>& ces,
    batch::v1::JQState::Value state = batch::v1::JQState::ENABLED) {
  batch::v1::JobQueueDetail queue;
  queue.set_job_queue_name(name);
  queue.set_job_queue_arn(api::MakeArn(api::kJobQueueKind, name));
  queue.set_state(state);
  queue.set_status(batch::v1::JQStatus::VALID);
  queue.set_priority(10);
  for (size_t i = 0; i < ces.size(); ++i) {
    auto* entry = queue.add_compute_environment_order();
    entry->set_order(static_cast<int>(i + 1));
    entry->set_compute_environment(ces[i]);
  }
  return queue;
}

inline batch::v1::JobDefinition MakeDefinition(const std::string& name) {
  batch::v1::JobDefinition def;
  def.set_job_definition_name(name);
  def.set_type("container");
  def.mutable_container_properties()->add_command("echo");
  def.mutable_container_properties()->add_command("hello");
  return def;
}

struct JobOptions {
  std::string queue = "q";
  std::string name = "job";
  int64_t created_at = 1'700'000'000'000;
  std::string definition = "def";
  int revision = 1;
  std::string client_token{};
  std::string fingerprint{};
  batch::v1::JobStatus::Value status = batch::v1::JobStatus::SUBMITTED;
};

inline NewJob MakeJob(const JobOptions& o = {}) {
  NewJob job;
  auto& d = job.detail;
  d.set_job_id(api::NewUuid());
  d.set_job_arn(api::MakeArn(api::kJobKind, d.job_id()));
  d.set_job_name(o.name);
  d.set_job_queue(api::MakeArn(api::kJobQueueKind, o.queue));
  d.set_job_definition(api::JobDefinitionArn(o.definition, o.revision));
  d.set_status(o.status);
  d.set_created_at(o.created_at);
  d.set_client_token(o.client_token);
  d.mutable_container()->add_command("true");
  job.request_fingerprint = o.fingerprint;
  return job;
}

// Runs `fn`, which must throw ApiError with `code` and a message containing `text`.
inline void ExpectApiError(const std::function<void()>& fn, api::ErrorCode code,
                           const std::string& text) {
  try {
    fn();
    ADD_FAILURE() << "expected " << api::ErrorCodeName(code) << " containing: " << text;
  } catch (const api::ApiError& e) {
    EXPECT_EQ(api::ErrorCodeName(e.code()), api::ErrorCodeName(code)) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << text;
  }
}

}  // namespace batchd::store
