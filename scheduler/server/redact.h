#pragma once
#include <string>
#include <string_view>

namespace batchd::server {

// A database URL fit for logs: the password of a postgresql:// URL's user info, and the value
// of any password keyword or query parameter (libpq "password=..." forms), become "***".
// Errs on the side of hiding: anything that might be a password is hidden.
std::string RedactDatabaseUrl(std::string_view url);

}  // namespace batchd::server
