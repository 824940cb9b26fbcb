#include "cli/submit_request.h"

#include <gtest/gtest.h>

#include "cli/errors.h"

namespace batchd::cli {
namespace {

using batch::v1::ResourceType;

TEST(BuildSubmitRequest, MinimalUsesTheDefinitionNameAndNoOverrides) {
  SubmitOptions o;
  o.queue = "high";
  o.definition = "hello:3";
  auto req = BuildSubmitRequest(o);
  EXPECT_EQ(req.job_queue(), "high");
  EXPECT_EQ(req.job_definition(), "hello:3");
  EXPECT_EQ(req.job_name(), "hello");
  EXPECT_FALSE(req.has_container_overrides());
  EXPECT_FALSE(req.has_retry_strategy());
  EXPECT_FALSE(req.has_timeout());
  EXPECT_FALSE(req.has_array_properties());
}

TEST(BuildSubmitRequest, DefinitionArnGivesItsName) {
  SubmitOptions o;
  o.queue = "q";
  o.definition = "arn:batchd:batch:local:000000000000:job-definition/etl:2";
  EXPECT_EQ(BuildSubmitRequest(o).job_name(), "etl");
}

TEST(BuildSubmitRequest, EveryFlagLandsInItsField) {
  SubmitOptions o;
  o.queue = "q";
  o.definition = "d";
  o.name = "nightly";
  o.env = {"A=1", "B=x=y"};
  o.params = {"input=s3://b/k"};
  o.vcpus = "2";
  o.memory_mib = 512;
  o.timeout_seconds = 90;
  o.attempts = 3;
  o.array_size = 4;
  o.depends_on = {"j1", "j2:SEQUENTIAL"};
  o.client_token = "tok-1";
  o.command = {"echo", "hello world"};
  auto req = BuildSubmitRequest(o);
  EXPECT_EQ(req.job_name(), "nightly");
  const auto& c = req.container_overrides();
  ASSERT_EQ(c.environment_size(), 2);
  EXPECT_EQ(c.environment(1).name(), "B");
  EXPECT_EQ(c.environment(1).value(), "x=y");
  EXPECT_EQ(req.parameters().at("input"), "s3://b/k");
  ASSERT_EQ(c.resource_requirements_size(), 2);
  EXPECT_EQ(c.resource_requirements(0).type(), ResourceType::VCPU);
  EXPECT_EQ(c.resource_requirements(0).value(), "2");
  EXPECT_EQ(c.resource_requirements(1).type(), ResourceType::MEMORY);
  EXPECT_EQ(c.resource_requirements(1).value(), "512");
  EXPECT_EQ(std::vector<std::string>(c.command().begin(), c.command().end()),
            (std::vector<std::string>{"echo", "hello world"}));
  EXPECT_EQ(req.timeout().attempt_duration_seconds(), 90);
  EXPECT_EQ(req.retry_strategy().attempts(), 3);
  EXPECT_EQ(req.array_properties().size(), 4);
  ASSERT_EQ(req.depends_on_size(), 2);
  EXPECT_EQ(req.depends_on(1).job_id(), "j2");
  EXPECT_EQ(req.depends_on(1).type(), batch::v1::ArrayJobDependency::SEQUENTIAL);
  EXPECT_EQ(req.client_token(), "tok-1");
}

TEST(BuildSubmitRequest, BadKeyValueNamesTheFlag) {
  SubmitOptions o;
  o.queue = "q";
  o.definition = "d";
  o.params = {"novalue"};
  try {
    BuildSubmitRequest(o);
    FAIL() << "expected a usage error";
  } catch (const CliError& e) {
    EXPECT_EQ(std::string(e.what()), "--param: expected KEY=VALUE, got \"novalue\"");
    EXPECT_EQ(e.exit_code(), kExitUsage);
  }
}

TEST(BuildSubmitRequest, BadDefinitionReferenceIsAUsageError) {
  SubmitOptions o;
  o.queue = "q";
  o.definition = "hello:zero";
  try {
    BuildSubmitRequest(o);
    FAIL() << "expected a usage error";
  } catch (const CliError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--definition: ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace batchd::cli
