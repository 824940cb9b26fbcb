#include "agent/executor/job_environment.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace batchd::agent {
namespace {

batch::v1::LaunchAttempt Attempt() {
  batch::v1::LaunchAttempt attempt;
  attempt.set_attempt_id("a-1");
  attempt.set_job_id("job-7");
  attempt.set_job_name("nightly");
  attempt.set_attempt_number(2);
  attempt.set_job_queue("high");
  attempt.set_compute_environment("ce-a");
  return attempt;
}

bool Has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

TEST(JobEnvironment, StartsCleanWithPathHomeAndInjectedNames) {
  const auto env = BuildJobEnvironment(Attempt(), "/work/a-1");
  EXPECT_TRUE(Has(env, std::string("PATH=") + kDefaultJobPath));
  EXPECT_TRUE(Has(env, "HOME=/work/a-1"));
  for (const char* entry :
       {"BATCH_JOB_ID=job-7", "BATCH_JOB_ATTEMPT=2", "BATCH_JOB_NAME=nightly",
        "BATCH_JOB_QUEUE=high", "BATCH_CE_NAME=ce-a", "AWS_BATCH_JOB_ID=job-7",
        "AWS_BATCH_JOB_ATTEMPT=2", "AWS_BATCH_JQ_NAME=high", "AWS_BATCH_CE_NAME=ce-a"}) {
    EXPECT_TRUE(Has(env, entry)) << entry;
  }
  EXPECT_EQ(LookupEnvironment(env, "BATCH_JOB_ARRAY_INDEX"), "");
  EXPECT_EQ(LookupEnvironment(env, "AWS_BATCH_JOB_ARRAY_SIZE"), "");
  EXPECT_EQ(env.size(), 11u);
  EXPECT_TRUE(std::is_sorted(env.begin(), env.end()));
}

TEST(JobEnvironment, ArrayChildrenSeeIndexAndSize) {
  auto attempt = Attempt();
  attempt.set_array_index(0);
  attempt.set_array_size(5);
  const auto env = BuildJobEnvironment(attempt, "/h");
  EXPECT_TRUE(Has(env, "BATCH_JOB_ARRAY_INDEX=0"));
  EXPECT_TRUE(Has(env, "BATCH_JOB_ARRAY_SIZE=5"));
  EXPECT_TRUE(Has(env, "AWS_BATCH_JOB_ARRAY_INDEX=0"));
  EXPECT_TRUE(Has(env, "AWS_BATCH_JOB_ARRAY_SIZE=5"));
}

TEST(JobEnvironment, JobValuesOverrideDefaultsButNotInjectedNames) {
  auto attempt = Attempt();
  auto add = [&](const std::string& name, const std::string& value) {
    auto* kv = attempt.mutable_container()->add_environment();
    kv->set_name(name);
    kv->set_value(value);
  };
  add("PATH", "/opt/bin");
  add("GREETING", "hello world");
  add("BATCH_JOB_ID", "forged");
  add("AWS_BATCH_JQ_NAME", "forged");
  add("", "nameless");
  add("A=B", "broken");
  const auto env = BuildJobEnvironment(attempt, "/h");
  EXPECT_EQ(LookupEnvironment(env, "PATH"), "/opt/bin");
  EXPECT_EQ(LookupEnvironment(env, "GREETING"), "hello world");
  EXPECT_EQ(LookupEnvironment(env, "BATCH_JOB_ID"), "job-7");
  EXPECT_EQ(LookupEnvironment(env, "AWS_BATCH_JQ_NAME"), "high");
  for (const auto& entry : env) {
    EXPECT_NE(entry.front(), '=') << entry;
    EXPECT_NE(entry.rfind("A=B", 0), 0u) << entry;
  }
}

}  // namespace
}  // namespace batchd::agent
