#include <set>

#include "api/names.h"
#include "expect_api_error.h"

namespace batchd::api {
namespace {

TEST(Names, ResourceNameRule) {
  EXPECT_TRUE(IsValidResourceName("ce-a_1"));
  EXPECT_TRUE(IsValidResourceName(std::string(128, 'a')));
  EXPECT_FALSE(IsValidResourceName(std::string(129, 'a')));
  EXPECT_FALSE(IsValidResourceName(""));
  EXPECT_FALSE(IsValidResourceName("has space"));
  EXPECT_FALSE(IsValidResourceName("dot.name"));
  EXPECT_TRUE(IsValidJobName("job1"));
  EXPECT_FALSE(IsValidJobName("-job"));
}

TEST(Names, NameOrArn) {
  EXPECT_EQ(NameFromRef("jobQueue", "q1", kJobQueueKind), "q1");
  EXPECT_EQ(NameFromRef("jobQueue", MakeArn(kJobQueueKind, "q1"), kJobQueueKind), "q1");
  EXPECT_EQ(
      NameFromRef("jobQueue", "arn:aws:batch:us-east-1:123456789012:job-queue/q2", kJobQueueKind),
      "q2");
  EXPECT_INVALID(NameFromRef("jobQueue", MakeArn(kComputeEnvironmentKind, "q1"), kJobQueueKind),
                 "jobQueue: expected a job-queue name or ARN");
  EXPECT_INVALID(NameFromRef("jobQueue", "", kJobQueueKind), "jobQueue: is required");
  EXPECT_INVALID(NameFromRef("jobQueue", "bad name", kJobQueueKind), "jobQueue: must be 1-128");
  EXPECT_INVALID(NameFromRef("jobQueue", "arn:x", kJobQueueKind), "malformed ARN");
}

TEST(Names, DefinitionRefs) {
  auto r = ParseDefinitionRef("jobDefinition", "hello");
  EXPECT_EQ(r.name, "hello");
  EXPECT_FALSE(r.revision);
  r = ParseDefinitionRef("jobDefinition", "hello:3");
  EXPECT_EQ(r.revision, 3);
  r = ParseDefinitionRef("jobDefinition", JobDefinitionArn("hello", 7));
  EXPECT_EQ(r.name, "hello");
  EXPECT_EQ(r.revision, 7);
  EXPECT_INVALID(ParseDefinitionRef("jobDefinition", "hello:0"),
                 "revision must be a positive integer");
  EXPECT_INVALID(ParseDefinitionRef("jobDefinition", "hello:x"),
                 "revision must be a positive integer");
}

TEST(Names, JobIds) {
  EXPECT_EQ(JobIdFromRef("jobId", "abc-1:3"), "abc-1:3");
  EXPECT_EQ(JobIdFromRef("jobId", MakeArn(kJobKind, "abc")), "abc");
  EXPECT_INVALID(JobIdFromRef("jobId", "a b"), "jobId: is not a job id");
}

TEST(Names, UuidsAreVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(seen.insert(id).second);
  }
}

}  // namespace
}  // namespace batchd::api
