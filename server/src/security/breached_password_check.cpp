#include "security/breached_password_check.hpp"

#include <curl/curl.h>

#include <cstdio>

#include "sesame/password_breach.hpp"

namespace sesame::server {
namespace {

constexpr std::size_t kMaxRangeBytes = 4 * 1024 * 1024;  // real answers are ~30 KB; padded ~40 KB

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (body->size() + n > kMaxRangeBytes) return 0;  // aborts the transfer
  body->append(data, n);
  return n;
}

BreachVerdict skipped(const char* reason) {
  // Never the password or its hash prefix: only why the check was skipped.
  std::fprintf(stderr, "{\"level\":\"warning\",\"msg\":\"breached-password check skipped\",\"reason\":\"%s\"}\n",
               reason);
  return BreachVerdict::unknown;
}

}  // namespace

BreachVerdict RangeApiBreachCheck::check(std::string_view password) const {
  const BreachRangeQuery query = breach_range_query(password);
  const std::string url = base_url_ + query.prefix;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return skipped("curl_easy_init failed");
  std::string body;
  curl_slist* headers = curl_slist_append(nullptr, "Add-Padding: true");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "sesame-server");
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc == CURLE_OPERATION_TIMEDOUT) return skipped("the range API did not answer in time");
  if (rc != CURLE_OK) return skipped(curl_easy_strerror(rc));
  if (status != 200) return skipped("the range API answered with an error status");
  return breach_count(body, query.suffix) > 0 ? BreachVerdict::listed : BreachVerdict::not_listed;
}

}  // namespace sesame::server
