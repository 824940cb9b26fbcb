#pragma once
#include <gtest/gtest.h>

#include "api/api_error.h"

// Asserts that `stmt` throws ApiError with `code` and a message containing `fragment`.
#define EXPECT_API_ERROR(stmt, expected_code, fragment)                               \
  do {                                                                                \
    try {                                                                             \
      stmt;                                                                           \
      ADD_FAILURE() << "expected ApiError containing \"" << (fragment) << "\"";       \
    } catch (const batchd::api::ApiError& e) {                                        \
      EXPECT_EQ(e.code(), (expected_code)) << e.what();                               \
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what(); \
    }                                                                                 \
  } while (0)

#define EXPECT_INVALID(stmt, fragment) \
  EXPECT_API_ERROR(stmt, batchd::api::ErrorCode::kInvalidArgument, fragment)
