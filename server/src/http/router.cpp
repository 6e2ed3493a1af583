#include "http/router.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace sesame::server::http {
namespace {

// "/a/b" → {"a", "b"}; "/" → {}; nullopt for anything with an empty segment
// ("//", a trailing '/') or not starting with '/'.
std::optional<std::vector<std::string_view>> split_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string_view> segments;
  if (path.size() == 1) return segments;
  std::size_t start = 1;
  while (true) {
    const std::size_t end = path.find('/', start);
    const std::string_view segment = path.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment.empty()) return std::nullopt;
    segments.push_back(segment);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return segments;
}

bool is_parameter(std::string_view segment) noexcept {
  return segment.size() > 1 && (segment.front() == ':' || segment.front() == '*');
}
bool is_rest(std::string_view segment) noexcept { return segment.size() > 1 && segment.front() == '*'; }
bool ends_in_rest(const Router::Route& route) noexcept { return !route.segments.empty() && is_rest(route.segments.back()); }

// True when every segment matches; a parameter matches any segment, a rest
// parameter every remaining one (at least one).
bool segments_match(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path) {
  const bool rest = !pattern.empty() && is_rest(pattern.back());
  if (rest ? path.size() < pattern.size() : pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (!is_parameter(pattern[i]) && pattern[i] != path[i]) return false;
  }
  return true;
}

// True when `a` is more specific than `b`: a route without a rest parameter
// wins; otherwise the first segment where they differ in kind is literal in `a`.
bool more_specific(const Router::Route& a, const Router::Route& b) {
  if (ends_in_rest(a) != ends_in_rest(b)) return !ends_in_rest(a);
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    const bool a_param = is_parameter(a.segments[i]);
    const bool b_param = is_parameter(b.segments[i]);
    if (a_param != b_param) return !a_param;
  }
  return false;
}

}  // namespace

Router& Router::add(Method method, std::string_view pattern, Handler handler) {
  if (!handler) throw std::invalid_argument("route handler is empty");
  return add_async(method, pattern, [handler = std::move(handler)](const Request& request, AsyncResponse response) {
    response.send(handler(request));
  });
}

Router& Router::add_async(Method method, std::string_view pattern, AsyncHandler handler) {
  if (!handler) throw std::invalid_argument("route handler is empty");
  // OPTIONS is answered by the server itself (CORS); HEAD would need Pistache
  // to send a GET's headers without its body, which it cannot.
  if (method == Method::other || method == Method::options || method == Method::head) {
    throw std::invalid_argument("routes serve GET, POST, PUT, PATCH or DELETE");
  }
  auto segments = split_path(pattern);
  if (!segments) throw std::invalid_argument("route pattern must be '/' or /segment/...: " + std::string(pattern));
  for (std::size_t i = 0; i + 1 < segments->size(); ++i) {
    if (is_rest((*segments)[i])) throw std::invalid_argument("only the last segment may be *rest: " + std::string(pattern));
  }
  for (const Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      throw std::invalid_argument("route registered twice: " + std::string(method_name(method)) + " " +
                                  std::string(pattern));
    }
  }
  Route route{method, std::string(pattern), {}, std::move(handler)};
  route.segments.assign(segments->begin(), segments->end());
  routes_.push_back(std::move(route));
  return *this;
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match result;
  const auto segments = split_path(path);
  if (!segments) return result;

  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (!segments_match(route.segments, *segments)) continue;
    if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
        result.allowed_methods.end()) {
      result.allowed_methods.push_back(route.method);
    }
    if (route.method == method && (best == nullptr || more_specific(route, *best))) best = &route;
  }
  if (best == nullptr) {
    result.kind = result.allowed_methods.empty() ? Match::Kind::path_unknown : Match::Kind::method_not_allowed;
    return result;
  }
  result.kind = Match::Kind::found;
  result.route = best;
  for (std::size_t i = 0; i < best->segments.size(); ++i) {
    if (is_rest(best->segments[i])) {
      std::string rest;
      for (std::size_t j = i; j < segments->size(); ++j) {
        if (j > i) rest += '/';
        rest += percent_decode((*segments)[j], false);
      }
      result.path_params.emplace_back(best->segments[i].substr(1), std::move(rest));
    } else if (is_parameter(best->segments[i])) {
      result.path_params.emplace_back(best->segments[i].substr(1), percent_decode((*segments)[i], false));
    }
  }
  return result;
}

}  // namespace sesame::server::http
