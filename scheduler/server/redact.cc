#include "server/redact.h"

#include <algorithm>
#include <cctype>

namespace batchd::server {
namespace {

constexpr std::string_view kMask = "***";

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

size_t FindNoCase(std::string_view s, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= s.size(); ++i) {
    if (StartsWithNoCase(s.substr(i), needle)) return i;
  }
  return std::string_view::npos;
}

// postgresql://user:secret@host/db -> postgresql://user:***@host/db
std::string RedactUserInfo(std::string url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t start = scheme_end + 3;
  // An unencoded '@' or '/' may sit inside the password: the user info ends at the last '@'
  // before the query.
  const size_t query = std::min(url.find('?', start), url.size());
  const size_t at = url.rfind('@', query);
  if (at == std::string::npos || at < start) return url;
  const size_t colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.replace(colon + 1, at - colon - 1, kMask);
}

// Every "...password = value": keyword strings end a bare value at white space, URL query
// strings at '&' or '#'.
std::string RedactPasswordValues(std::string text, bool url_query) {
  constexpr std::string_view kKey = "password";
  size_t pos = 0;
  while ((pos = FindNoCase(text, kKey, pos)) != std::string::npos) {
    size_t i = pos + kKey.size();
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size() || text[i] != '=') {
      pos += kKey.size();
      continue;
    }
    ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t end = i;
    if (!url_query && end < text.size() && text[end] == '\'') {
      for (++end; end < text.size() && text[end] != '\''; ++end) {
        if (text[end] == '\\') ++end;
      }
      end = std::min(end + 1, text.size());
    } else {
      const std::string_view stops = url_query ? "&#" : " \t\r\n";
      while (end < text.size() && stops.find(text[end]) == std::string_view::npos) ++end;
    }
    text.replace(i, end - i, kMask);
    pos = i + kMask.size();
  }
  return text;
}

}  // namespace

std::string RedactDatabaseUrl(std::string_view url) {
  const bool is_url =
      StartsWithNoCase(url, "postgresql://") || StartsWithNoCase(url, "postgres://");
  std::string out(url);
  if (is_url) out = RedactUserInfo(std::move(out));
  return RedactPasswordValues(std::move(out), is_url);
}

}  // namespace batchd::server
