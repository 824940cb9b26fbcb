#pragma once
// One throwaway PostgreSQL cluster per test binary (started on first use, stopped at exit),
// and a fresh database per test so tests never see each other's rows.
#include <filesystem>
#include <string>

namespace batchd::testing {

// Creates a new, empty database on the shared test cluster; returns its connection string.
std::string FreshDatabaseUrl();
// The shared cluster's server log (started on first use, like FreshDatabaseUrl).
std::filesystem::path ServerLogFile();

}  // namespace batchd::testing
