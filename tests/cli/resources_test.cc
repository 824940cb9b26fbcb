// get, describe and delete of compute environments, queues and definitions.
#include <gmock/gmock.h>

#include <yaml-cpp/yaml.h>

#include "api/json_yaml.h"
#include "batch/v1/batch_service.pb.h"
#include "cli_fixture.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using ResourcesTest = BatchctlTest;

TEST_F(ResourcesTest, GetAndDescribeInEveryFormat) {
  MakeQueue("fmt-q");
  MakeDefinition("fmt-def");

  auto r = Ctl({"get", "compute-environments", "fmt-q-ce"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("NAME       TYPE        STATE     STATUS   MINVCPUS"));
  EXPECT_THAT(r.out, HasSubstr("fmt-q-ce   UNMANAGED   ENABLED   VALID"));

  r = Ctl({"get", "ce", "fmt-q-ce", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("\"computeEnvironmentName\": \"fmt-q-ce\""));
  batch::v1::DescribeComputeEnvironmentsResponse ces;
  api::FromJson(r.out, &ces);
  ASSERT_EQ(ces.compute_environments_size(), 1);
  EXPECT_EQ(ces.compute_environments(0).type(), batch::v1::CEType::UNMANAGED);

  r = Ctl({"-o", "yaml", "get", "queues", "fmt-q"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  YAML::Node queues = YAML::Load(r.out);
  EXPECT_EQ(queues["jobQueues"][0]["jobQueueName"].as<std::string>(), "fmt-q");

  r = Ctl({"get", "jd", "fmt-def"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "NAME      REVISION   STATUS   IMAGE/COMMAND\n"
            "fmt-def   1          ACTIVE   echo hello\n");

  r = Ctl({"describe", "compute-environment", "fmt-q-ce"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  YAML::Node ce = YAML::Load(r.out);
  EXPECT_EQ(ce["computeEnvironmentName"].as<std::string>(), "fmt-q-ce");
  EXPECT_EQ(ce["state"].as<std::string>(), "ENABLED");

  r = Ctl({"describe", "jq", "fmt-q", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::JobQueueDetail queue;
  api::FromJson(r.out, &queue);
  EXPECT_EQ(queue.job_queue_name(), "fmt-q");
  EXPECT_EQ(queue.priority(), 1);

  r = Ctl({"describe", "jd", "fmt-def:1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(YAML::Load(r.out)["revision"].as<int>(), 1);
}

TEST_F(ResourcesTest, DescribeUnknownIsNotFound) {
  auto r = Ctl({"describe", "job-queue", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: job queue \"x\" not found\n");
  r = Ctl({"describe", "ce", "x"});
  EXPECT_EQ(r.err, "batchctl: compute environment \"x\" not found\n");
  r = Ctl({"describe", "jd", "x:3"});
  EXPECT_EQ(r.err, "batchctl: job definition \"x:3\" not found\n");
  r = Ctl({"get", "jq", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: job queue \"x\" not found\n");
}

TEST_F(ResourcesTest, DeleteQueueIsRefusedWhileEnabledThenDisableDeletes) {
  MakeQueue("del-q");
  auto r = Ctl({"delete", "job-queue", "del-q"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("batchctl: job queue \"del-q\" is ENABLED"));
  EXPECT_THAT(r.err, HasSubstr("--disable"));
  EXPECT_EQ(Ctl({"describe", "jq", "del-q"}).exit_code, 0);

  r = Ctl({"delete", "job-queue", "del-q", "--disable"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "jobqueue/del-q deleted\n");
  EXPECT_EQ(Ctl({"describe", "jq", "del-q"}).exit_code, 1);

  r = Ctl({"delete", "ce", "del-q-ce", "--disable"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "computeenvironment/del-q-ce deleted\n");
}

TEST_F(ResourcesTest, DeregisterDefinitionRevision) {
  MakeDefinition("dereg-def");
  auto r = Ctl({"delete", "jd", "dereg-def"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("NAME:REVISION"));

  r = Ctl({"delete", "jd", "dereg-def:1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "jobdefinition/dereg-def:1 deregistered\n");

  r = Ctl({"get", "jd", "dereg-def"});
  EXPECT_THAT(r.out, HasSubstr("INACTIVE"));
  r = Ctl({"describe", "jd", "dereg-def"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no ACTIVE revision"));
}

}  // namespace
}  // namespace batchd::testing
