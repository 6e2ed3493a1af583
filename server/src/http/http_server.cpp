#include "http/http_server.hpp"

#include <sodium.h>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>

#include "http/form_body.hpp"
#include "http/json_body.hpp"

namespace sesame::server::http {

namespace pst = Pistache;

// ---- Shared state ---------------------------------------------------------------

class HttpServer::Core {
 public:
  Core(HttpServerOptions server_options, Router server_router)
      : options(std::move(server_options)),
        router(std::move(server_router)),
        cors(options.cors_allowed_origins, options.cors_allowed_headers, options.cors_max_age_seconds),
        access_log(options.access_log ? options.access_log : AccessLogSink(write_to_stderr)) {}

  const HttpServerOptions options;
  const Router router;
  const CorsPolicy cors;
  const AccessLogSink access_log;
  std::atomic<bool> draining{false};

  void request_started() {
    std::lock_guard lock(mutex_);
    ++in_flight_;
  }

  void request_finished() {
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
    }
    changed_.notify_all();
  }

  // A response handed to Pistache; it is written later by the connection's
  // thread, so stop() waits for it too.
  std::uint64_t write_started(std::weak_ptr<pst::Tcp::Peer> peer) {
    std::lock_guard lock(mutex_);
    const std::uint64_t id = next_write_id_++;
    pending_writes_.emplace(id, std::move(peer));
    return id;
  }

  void write_settled(std::uint64_t id) {
    {
      std::lock_guard lock(mutex_);
      pending_writes_.erase(id);
    }
    changed_.notify_all();
  }

  // Waits until nothing is in flight or the deadline passes. Pistache drops
  // a queued write silently when its connection closed first, so a pending
  // write whose connection is gone counts as settled; that is noticed by
  // looking again every few milliseconds.
  void wait_until_quiet(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    while (true) {
      std::erase_if(pending_writes_, [](const auto& entry) { return entry.second.expired(); });
      if (in_flight_ == 0 && pending_writes_.empty()) return;
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return;
      changed_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(20)));
    }
  }

  // Responses pass this gate to reach Pistache; once closed (the endpoint is
  // going away) they are dropped instead.
  std::shared_mutex gate;
  bool closed = false;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t in_flight_ = 0;
  std::uint64_t next_write_id_ = 0;
  std::map<std::uint64_t, std::weak_ptr<pst::Tcp::Peer>> pending_writes_;
};

namespace {

using Core = HttpServer::Core;

// ---- Writing headers through Pistache ----------------------------------------------

// Pistache writes only typed headers and keeps one per name; this one carries
// any name and value. Repeated names (Set-Cookie) are joined into one value
// with "\r\nName: " between them, which is the same bytes on the wire.
class OutgoingHeader final : public pst::Http::Header::Header {
 public:
  OutgoingHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void write(std::ostream& stream) const override { stream << value_; }
  std::uint64_t hash() const override { return 0; }  // never the target of a header_cast

 private:
  std::string name_;
  std::string value_;
};

// CR, LF and NUL would split or end the header: a handler's mistake must not
// become header injection.
std::string header_safe(std::string_view text) {
  std::string out(text);
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  return out;
}

void copy_headers(const Response::Fields& fields, pst::Http::Header::Collection& out) {
  std::vector<std::pair<std::string, std::string>> grouped;
  for (const auto& [name, value] : fields) {
    auto it = std::find_if(grouped.begin(), grouped.end(),
                           [&](const auto& entry) { return equals_ignoring_case(entry.first, name); });
    if (it == grouped.end()) {
      grouped.emplace_back(header_safe(name), header_safe(value));
    } else {
      it->second += "\r\n" + it->first + ": " + header_safe(value);
    }
  }
  for (auto& [name, value] : grouped) out.add(std::make_shared<OutgoingHeader>(std::move(name), std::move(value)));
}

// ---- One request/response exchange --------------------------------------------------

struct ExchangeInfo {
  std::string request_id;
  std::string method;
  std::string path;
  std::string client_ip;
  std::string user_agent;
  std::optional<std::string> allowed_origin;  // the Origin, when on the allow-list
  bool had_origin = false;
  bool keep_alive = true;
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();
};

class Exchange final : public ResponseChannel {
 public:
  Exchange(std::shared_ptr<Core> core, pst::Http::ResponseWriter writer, ExchangeInfo info)
      : core_(std::move(core)), writer_(std::move(writer)), info_(std::move(info)) {
    core_->request_started();
  }

  ~Exchange() override {
    if (!claim()) return;
    try {
      Response lost = Response::problem(ErrorCode::internal_error);
      lost.set_log_note("the handler never answered");
      deliver(std::move(lost));
    } catch (...) {
      // Nothing more can be done for this client; never throw from a destructor.
    }
  }

  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  bool send(Response response) override {
    if (!claim()) return false;
    deliver(std::move(response));
    return true;
  }

 private:
  bool claim() {
    std::lock_guard lock(mutex_);
    if (sent_) return false;
    sent_ = true;
    return true;
  }

  void finalize(Response& response) const {
    response.render_problem(info_.request_id);
    if (info_.allowed_origin) core_->cors.add_response_headers(response, *info_.allowed_origin);
    if (info_.had_origin) {
      // The answer depends on the Origin, so shared caches must keep them apart.
      const auto vary = response.header("Vary");
      if (!vary) {
        response.set_header("Vary", "Origin");
      } else if (vary->find("Origin") == std::string_view::npos) {
        response.set_header("Vary", std::string(*vary) + ", Origin");
      }
    }
    add_security_headers(response, info_.path, core_->options.behind_tls);
    response.set_header("X-Request-Id", info_.request_id);
    if (!info_.keep_alive || core_->draining.load()) response.set_header("Connection", "close");
  }

  // Logs before writing, so the line exists by the time the client has the
  // answer. Counts the request finished whatever happens on the way.
  void deliver(Response response) {
    struct Finished {
      Core& core;
      ~Finished() { core.request_finished(); }
    } finished{*core_};
    finalize(response);
    log(response);
    std::shared_lock gate(core_->gate);
    if (!core_->closed) write(response);
  }

  void log(const Response& response) const noexcept {
    try {
      const auto elapsed = std::chrono::steady_clock::now() - info_.received_at;
      core_->access_log(format_access_log_line(AccessLogEntry{
        .time = std::chrono::system_clock::now(),
        .request_id = info_.request_id,
        .method = info_.method,
        .path = info_.path,
        .status = response.status(),
        .duration_ms = std::chrono::duration<double, std::milli>(elapsed).count(),
        .client_ip = info_.client_ip,
        .user_agent = info_.user_agent,
        .note = response.log_note(),
      }));
    } catch (...) {
      // A failing log sink must not cost the client its answer.
    }
  }

  void write(const Response& response) {
    auto peer = writer_.getPeer();
    if (!peer) return;  // the client is gone
    copy_headers(response.headers(), writer_.headers());
    const std::uint64_t write_id = core_->write_started(peer);
    peer.reset();
    try {
      auto core = core_;
      writer_.send(static_cast<pst::Http::Code>(response.status()), response.body())
          .then([core, write_id](ssize_t) { core->write_settled(write_id); },
                [core, write_id](std::exception_ptr) { core->write_settled(write_id); });
    } catch (const std::exception&) {
      core_->write_settled(write_id);
    }
  }

  std::shared_ptr<Core> core_;
  std::mutex mutex_;
  bool sent_ = false;
  pst::Http::ResponseWriter writer_;
  const ExchangeInfo info_;
};

// ---- From Pistache's request to ours ---------------------------------------------------

Method method_of(pst::Http::Method method) noexcept {
  switch (method) {
    case pst::Http::Method::Get: return Method::get;
    case pst::Http::Method::Head: return Method::head;
    case pst::Http::Method::Post: return Method::post;
    case pst::Http::Method::Put: return Method::put;
    case pst::Http::Method::Patch: return Method::patch;
    case pst::Http::Method::Delete: return Method::delete_;
    case pst::Http::Method::Options: return Method::options;
    default: return Method::other;
  }
}

Request to_request(const pst::Http::Request& source) {
  Request::Fields query;
  for (auto it = source.query().parameters_begin(); it != source.query().parameters_end(); ++it) {
    query.emplace_back(percent_decode(it->first, true), percent_decode(it->second, true));
  }
  Request::Fields headers;
  for (const auto& [name, raw] : source.headers().rawList()) headers.emplace_back(raw.name(), raw.value());
  return Request(method_of(source.method()), source.resource(), std::move(query), std::move(headers), source.body());
}

bool wants_keep_alive(pst::Http::Version version, const Request& request) {
  const auto connection = request.header("Connection");
  if (connection && equals_ignoring_case(*connection, "close")) return false;
  if (version == pst::Http::Version::Http10) return connection && equals_ignoring_case(*connection, "keep-alive");
  return true;
}

bool has_body_to_check(Method method) noexcept {
  return method == Method::post || method == Method::put || method == Method::patch;
}

// The checks every request passes before its handler; a response when one
// of them answers instead.
std::optional<Response> screen(const Core& core, const Request& request, const Router::Match& match) {
  if (request.body().size() > core.options.max_body_bytes) {
    return Response::problem(ErrorCode::payload_too_large, "the body exceeds " +
                                                               std::to_string(core.options.max_body_bytes) + " bytes");
  }
  if (core.draining.load()) {
    Response response = Response::problem(ErrorCode::service_unavailable, "the server is shutting down");
    response.set_retry_after(1);
    return response;
  }
  if (is_preflight(request)) {
    // A preflight is answered as one even for a path the router does not know:
    // the browser then sends the request and shows the page the server's own
    // answer (a 404 problem), instead of an opaque network error.
    Response response = Response::no_content();
    const auto origin = request.header("Origin");
    if (origin && core.cors.allows(*origin)) {
      static const std::vector<Method> kEveryMethod{Method::get, Method::post, Method::put, Method::patch,
                                                    Method::delete_};
      core.cors.add_preflight_headers(
          response, *origin, match.kind == Router::Match::Kind::path_unknown ? kEveryMethod : match.allowed_methods);
    }
    response.set_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    return response;
  }
  if (match.kind == Router::Match::Kind::path_unknown) {
    return Response::problem(ErrorCode::not_found, "no such resource");
  }
  if (request.method() == Method::options) {
    Response response = Response::no_content();
    response.set_header("Allow", join_methods(match.allowed_methods));
    return response;
  }
  if (match.kind == Router::Match::Kind::method_not_allowed) {
    Response response = Response::problem(ErrorCode::method_not_allowed,
                                          std::string(method_name(request.method())) + " is not allowed here");
    response.set_header("Allow", join_methods(match.allowed_methods));
    return response;
  }
  const std::string_view content_type = request.header("Content-Type").value_or(std::string_view{});
  const auto& form_paths = core.options.form_body_paths;
  const bool form_allowed = is_form_media_type(content_type) &&
                            std::find(form_paths.begin(), form_paths.end(), request.path()) != form_paths.end();
  if (has_body_to_check(request.method()) && !request.body().empty() && !is_json_media_type(content_type) &&
      !form_allowed) {
    return Response::problem(ErrorCode::unsupported_media_type, "the body must be application/json");
  }
  return std::nullopt;
}

// ---- The Pistache handler -----------------------------------------------------------------

constexpr const char* kDiscardInput = "sesame.discard_input";
constexpr const char* kPendingHead = "sesame.pending_head";

// The request line and headers of the request being received, held back
// until they are complete (see drop_valueless_cookies).
struct PendingHead {
  std::string bytes;
  bool complete = false;  // true while the body is being received
};

std::string_view trim_spaces(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Pistache's cookie parser throws on a cookie without '=' ("a=1; junk"), which
// would fail every request from a browser holding one such cookie for this
// host (document.cookie = "junk" makes one). Those entries are dropped from
// the Cookie headers before Pistache sees them; everything else is untouched.
std::string drop_valueless_cookies(std::string_view head) {
  std::string out;
  out.reserve(head.size());
  while (!head.empty()) {
    const std::size_t end = head.find("\r\n");
    const std::string_view line = head.substr(0, end == std::string_view::npos ? head.size() : end + 2);
    head.remove_prefix(line.size());
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !equals_ignoring_case(trim_spaces(line.substr(0, colon)), "cookie")) {
      out.append(line);
      continue;
    }
    std::string value;
    std::string_view rest = line.substr(colon + 1, line.size() - colon - 1 - (line.ends_with("\r\n") ? 2 : 0));
    while (!rest.empty()) {
      const std::size_t semicolon = rest.find(';');
      const std::string_view pair = trim_spaces(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos || equals == 0) continue;
      if (!value.empty()) value += "; ";
      value += pair;
    }
    if (!value.empty()) out.append("Cookie: ").append(value).append("\r\n");
  }
  return out;
}

class EndpointHandler final : public pst::Http::Handler {
 public:
  HTTP_PROTOTYPE(EndpointHandler)

  explicit EndpointHandler(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  // Unused: onInput below dispatches itself.
  void onRequest(const pst::Http::Request& request, pst::Http::ResponseWriter writer) override {
    dispatch(request, std::move(writer));
  }

 private:
  // Replaces Pistache's onInput (on the connection's thread, like it). Pistache's
  // answers an oversized request (and a malformed one) with plain text and
  // keeps parsing the rest of the body as new requests; this one answers
  // problem+json, refuses a Content-Length over the limit before the body
  // arrives, ignores what the client still sends on that connection, and
  // cleans the Cookie headers first.
  void onInput(const char* buffer, size_t len, const std::shared_ptr<pst::Tcp::Peer>& peer) override {
    if (peer->tryGetData(kDiscardInput)) return;
    auto parser = getParser(peer);
    auto head = pending_head_of(peer);
    if (head->complete) {
      feed(peer, *parser, *head, buffer, len);
      return;
    }
    head->bytes.append(buffer, len);
    const std::size_t end = head->bytes.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (head->bytes.size() > core_->options.max_header_bytes + core_->options.max_body_bytes) {
        head->bytes.clear();
        refuse(peer, *parser, ErrorCode::payload_too_large, "the request headers are too large");
      }
      return;
    }
    const std::string input = drop_valueless_cookies(std::string_view(head->bytes).substr(0, end + 4)) +
                              head->bytes.substr(end + 4);
    head->bytes.clear();
    head->complete = true;
    feed(peer, *parser, *head, input.data(), input.size());
  }

  static std::shared_ptr<PendingHead> pending_head_of(const std::shared_ptr<pst::Tcp::Peer>& peer) {
    if (auto data = peer->tryGetData(kPendingHead)) return std::static_pointer_cast<PendingHead>(data);
    auto created = std::make_shared<PendingHead>();
    peer->putData(kPendingHead, created);
    return created;
  }

  void feed(const std::shared_ptr<pst::Tcp::Peer>& peer, pst::Http::RequestParser& parser, PendingHead& head,
            const char* buffer, size_t len) {
    auto& request = parser.request;
    try {
      if (!parser.feed(buffer, len)) {
        refuse(peer, parser, ErrorCode::payload_too_large, "the request is too large");
        return;
      }
      const auto state = parser.parse();
      if (state == pst::Http::Private::State::Done) {
        head.complete = false;
        pst::Http::ResponseWriter writer(request.version(), transport(), this, peer);
        request.copyAddress(peer->address());
        peer->setIdle(false);
        dispatch(request, std::move(writer));
        parser.reset();
      } else if (parser.step()->id() == pst::Http::Private::BodyStep::Id) {
        const auto length = request.headers().tryGet<pst::Http::Header::ContentLength>();
        if (length && length->value() > core_->options.max_body_bytes) {
          refuse(peer, parser, ErrorCode::payload_too_large,
                 "the body exceeds " + std::to_string(core_->options.max_body_bytes) + " bytes");
        }
      }
    } catch (const std::exception&) {
      // Pistache's parser throws on malformed HTTP (and on some header values).
      // The contract has no code for broken framing; malformed_json is the
      // nearest 400 the SDK already knows.
      refuse(peer, parser, ErrorCode::malformed_json, "malformed HTTP request");
    }
  }

  // Answers and stops reading this connection; the client is asked to close it.
  void refuse(const std::shared_ptr<pst::Tcp::Peer>& peer, pst::Http::RequestParser& parser, ErrorCode code,
              std::string detail) {
    const bool line_parsed = parser.step()->id() != pst::Http::Private::RequestLineStep::Id;
    ExchangeInfo info;
    info.request_id = generate_request_id();
    info.method = line_parsed ? std::string(method_name(method_of(parser.request.method()))) : "-";
    info.path = line_parsed ? parser.request.resource() : "-";
    info.client_ip = peer->address().host();
    info.keep_alive = false;
    const auto version = line_parsed ? parser.request.version() : pst::Http::Version::Http11;
    parser.reset();
    peer->putData(kDiscardInput, std::make_shared<bool>(true));
    auto exchange = std::make_shared<Exchange>(core_, pst::Http::ResponseWriter(version, transport(), this, peer),
                                               std::move(info));
    exchange->send(Response::problem(code, std::move(detail)));
  }

  void dispatch(const pst::Http::Request& source, pst::Http::ResponseWriter writer) {
    Request request = to_request(source);
    request.set_client_ip(client_ip_for(source.address().host(), request.header("X-Forwarded-For"),
                                        core_->options.trust_forwarded_for));
    const auto client_id = request.header("X-Request-Id");
    request.set_request_id(client_id && is_acceptable_request_id(*client_id) ? std::string(*client_id)
                                                                             : generate_request_id());
    const auto origin = request.header("Origin");
    request.set_origin_allowed(origin && core_->cors.allows(*origin));

    ExchangeInfo info;
    info.request_id = request.request_id();
    info.method = std::string(method_name(request.method()));
    info.path = request.path();
    info.client_ip = request.client_ip();
    info.user_agent = std::string(request.user_agent().substr(0, kMaxLoggedUserAgentBytes));
    if (request.origin_allowed()) info.allowed_origin = std::string(*origin);
    info.had_origin = origin.has_value();
    info.keep_alive = wants_keep_alive(source.version(), request);
    info.received_at = request.received_at();
    AsyncResponse response(std::make_shared<Exchange>(core_, std::move(writer), std::move(info)));

    Router::Match match = core_->router.match(request.method(), request.path());
    if (auto early = screen(*core_, request, match)) {
      response.send(std::move(*early));
      return;
    }
    request.set_path_params(std::move(match.path_params));
    try {
      match.route->handler(request, response);
    } catch (const std::exception& error) {
      Response failure = Response::problem(ErrorCode::internal_error);
      failure.set_log_note(std::string("exception: ") + error.what());
      response.send(std::move(failure));
    } catch (...) {
      Response failure = Response::problem(ErrorCode::internal_error);
      failure.set_log_note("exception");
      response.send(std::move(failure));
    }
  }

  std::shared_ptr<Core> core_;
};

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

// ---- HttpServer -----------------------------------------------------------------------------

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress address;
  std::string_view port_text;
  if (text.starts_with("[")) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
    if (address.host.find(':') == std::string::npos) return std::nullopt;
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (address.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
  }
  if (address.host.empty()) return std::nullopt;
  for (const char c : address.host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '%';
    if (!ok) return std::nullopt;
  }
  const auto port = parse_port(port_text);
  if (!port) return std::nullopt;
  address.port = *port;
  return address;
}

class HttpServer::Runtime {
 public:
  std::mutex mutex;
  std::unique_ptr<pst::Http::Endpoint> endpoint;
  std::atomic<std::uint16_t> port{0};  // read without the mutex: stop() holds it while draining
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(HttpServerOptions options, Router router)
    : core_(std::make_shared<Core>(std::move(options), std::move(router))), runtime_(std::make_unique<Runtime>()) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::start() {
  std::lock_guard lock(runtime_->mutex);
  if (runtime_->started) throw std::logic_error("HttpServer::start called twice");
  const auto address = parse_listen_address(core_->options.listen);
  if (!address) throw std::runtime_error("malformed listen address '" + core_->options.listen + "' (want host:port)");
  const std::string pistache_address = address->host.find(':') != std::string::npos
                                           ? "[" + address->host + "]:" + std::to_string(address->port)
                                           : address->host + ":" + std::to_string(address->port);

  const auto& o = core_->options;
  auto endpoint = std::make_unique<pst::Http::Endpoint>(pst::Address(pistache_address));
  auto endpoint_options = pst::Http::Endpoint::options()
                              .threads(static_cast<int>(std::max<std::size_t>(o.threads, 1)))
                              .threadsName("sesame-http")
                              .flags(pst::Tcp::Options::ReuseAddr)
                              .maxRequestSize(o.max_body_bytes + o.max_header_bytes)
                              .headerTimeout(o.request_timeout)
                              .bodyTimeout(o.request_timeout)
                              .keepaliveTimeout(o.keepalive_timeout);
  endpoint->init(endpoint_options);
  endpoint->setHandler(std::make_shared<EndpointHandler>(core_));
  try {
    endpoint->serveThreaded();
  } catch (const std::exception& error) {
    throw std::runtime_error("cannot listen on " + o.listen + ": " + error.what());
  }
  runtime_->port.store(endpoint->getPort());
  runtime_->endpoint = std::move(endpoint);
  runtime_->started = true;
}

std::uint16_t HttpServer::port() const { return runtime_->port.load(); }

void HttpServer::begin_draining() noexcept { core_->draining.store(true); }

bool HttpServer::draining() const noexcept { return core_->draining.load(); }

void HttpServer::stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(runtime_->mutex);
  if (!runtime_->started || runtime_->stopped) return;
  begin_draining();
  core_->wait_until_quiet(std::chrono::steady_clock::now() + grace);
  {
    std::unique_lock gate(core_->gate);
    core_->closed = true;
  }
  runtime_->endpoint->shutdown();
  runtime_->endpoint.reset();  // joins the accept and connection threads
  runtime_->stopped = true;
}

}  // namespace sesame::server::http
