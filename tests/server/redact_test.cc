#include "server/redact.h"

#include <gtest/gtest.h>

namespace batchd::server {
namespace {

TEST(RedactDatabaseUrl, HidesThePasswordOfAUrl) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://batchd:s3cret@db.example:5432/batchd"),
            "postgresql://batchd:***@db.example:5432/batchd");
  EXPECT_EQ(RedactDatabaseUrl("postgres://u:p@h/d?sslmode=require"),
            "postgres://u:***@h/d?sslmode=require");
}

TEST(RedactDatabaseUrl, PasswordWithSpecialCharactersIsHiddenWhole) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://u:pa:ss@wo/rd@h/d"), "postgresql://u:***@h/d");
}

TEST(RedactDatabaseUrl, LeavesUrlsWithoutPasswordAlone) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://batchd@db/batchd"), "postgresql://batchd@db/batchd");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://db:5432/batchd"), "postgresql://db:5432/batchd");
  EXPECT_EQ(RedactDatabaseUrl("host=/tmp port=5432 dbname=batchd user=batchd"),
            "host=/tmp port=5432 dbname=batchd user=batchd");
}

TEST(RedactDatabaseUrl, HidesPasswordQueryParameters) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://h/d?user=u&password=secret&sslmode=disable"),
            "postgresql://h/d?user=u&password=***&sslmode=disable");
}

TEST(RedactDatabaseUrl, HidesKeywordPasswords) {
  EXPECT_EQ(RedactDatabaseUrl("host=db password=secret dbname=batchd"),
            "host=db password=*** dbname=batchd");
  EXPECT_EQ(RedactDatabaseUrl("host=db password = secret"), "host=db password = ***");
  EXPECT_EQ(RedactDatabaseUrl("password='it\\'s a secret' host=db"), "password=*** host=db");
  EXPECT_EQ(RedactDatabaseUrl("host=db PASSWORD=x sslpassword=y"),
            "host=db PASSWORD=*** sslpassword=***");
}

}  // namespace
}  // namespace batchd::server
