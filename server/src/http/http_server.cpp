#include "http/http_server.hpp"

#include <sodium.h>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <thread>

#include <sys/socket.h>

#include "http/form_body.hpp"
#include "http/json_body.hpp"
#include "http/request_framing.hpp"

namespace sesame::server::http {

namespace pst = Pistache;

class Connection;

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

  // Every open connection, for the request clock (expire_slow_requests).
  void track(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(connections_mutex_);
    std::erase_if(connections_, [](const auto& entry) { return entry.expired(); });
    connections_.push_back(connection);
  }

  std::vector<std::shared_ptr<Connection>> connections() {
    std::lock_guard lock(connections_mutex_);
    std::vector<std::shared_ptr<Connection>> out;
    for (const auto& entry : connections_) {
      if (auto connection = entry.lock()) out.push_back(std::move(connection));
    }
    return out;
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
  std::mutex connections_mutex_;
  std::vector<std::weak_ptr<Connection>> connections_;
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
  bool bearer_presented = false;  // Authorization: Bearer (for the 401 challenge)
  bool keep_alive = true;
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();
};

// Told once the response is on the wire, with whether the connection closes
// after it; that is when the connection reads its next request.
using WrittenCallback = std::function<void(bool closes)>;

class Exchange final : public ResponseChannel {
 public:
  Exchange(std::shared_ptr<Core> core, pst::Http::ResponseWriter writer, ExchangeInfo info,
           WrittenCallback on_written = {})
      : core_(std::move(core)), writer_(std::move(writer)), info_(std::move(info)), on_written_(std::move(on_written)) {
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
    add_bearer_challenge(response, info_.bearer_presented);
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
    add_security_headers(response, info_.path,
                         HstsPolicy{core_->options.behind_tls, core_->options.hsts_include_subdomains});
    response.set_header("X-Request-Id", info_.request_id);
    if (closes_connection()) response.set_header("Connection", "close");
  }

  bool closes_connection() const { return !info_.keep_alive || core_->draining.load(); }

  // Logs before writing, so the line exists by the time the client has the
  // answer. Counts the request finished whatever happens on the way.
  void deliver(Response response) {
    struct Finished {
      Core& core;
      ~Finished() { core.request_finished(); }
    } finished{*core_};
    finalize(response);
    log(response);
    log_security_event(response);
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

  void log_security_event(const Response& response) const noexcept {
    try {
      const auto event = security_event_for(response);
      if (!event) return;
      core_->access_log(format_security_event_line(SecurityEventEntry{
        .time = std::chrono::system_clock::now(),
        .event = *event,
        .request_id = info_.request_id,
        .method = info_.method,
        .path = info_.path,
        .status = response.status(),
        .client_ip = info_.client_ip,
      }));
    } catch (...) {
      // As with the access log: the client gets its answer whatever the sink does.
    }
  }

  void write(const Response& response) {
    auto peer = writer_.getPeer();
    if (!peer) return;  // the client is gone
    copy_headers(response.headers(), writer_.headers());
    const std::uint64_t write_id = core_->write_started(peer);
    peer.reset();
    const bool closes = closes_connection();
    try {
      auto core = core_;
      auto on_written = on_written_;
      writer_.send(static_cast<pst::Http::Code>(response.status()), response.body())
          .then(
              [core, write_id, on_written, closes](ssize_t) {
                core->write_settled(write_id);
                if (on_written) on_written(closes);
              },
              [core, write_id, on_written](std::exception_ptr) {
                core->write_settled(write_id);
                if (on_written) on_written(true);
              });
    } catch (const std::exception&) {
      core_->write_settled(write_id);
      if (on_written_) on_written_(true);
    }
  }

  std::shared_ptr<Core> core_;
  std::mutex mutex_;
  bool sent_ = false;
  pst::Http::ResponseWriter writer_;
  const ExchangeInfo info_;
  const WrittenCallback on_written_;
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

constexpr const char* kConnectionData = "sesame.connection";

}  // namespace

// What one TCP connection has received and where it is in answering it. Used
// from the connection's Pistache thread, the thread a response is sent from
// and the request clock, so everything here is guarded by `mutex`.
class Connection {
 public:
  Connection(std::shared_ptr<pst::Http::RequestParser> request_parser, const std::shared_ptr<pst::Tcp::Peer>& socket,
             pst::Tcp::Transport* peer_transport, pst::Http::Handler* peer_handler)
      : parser(std::move(request_parser)), peer(socket), transport(peer_transport), handler(peer_handler) {}

  std::mutex mutex;
  std::string pending;  // received, not yet handed to a handler
  bool busy = false;    // a request is being answered; the next waits, so answers keep their order
  bool pumping = false; // some thread is in pump(); it will look at the state again
  bool closing = false; // the last answer closes the connection; later input is ignored
  bool gone = false;    // Pistache reported the disconnection
  // When the first byte of the request still incomplete arrived (the request clock).
  std::optional<std::chrono::steady_clock::time_point> request_started;

  const std::shared_ptr<pst::Http::RequestParser> parser;
  const std::weak_ptr<pst::Tcp::Peer> peer;
  pst::Tcp::Transport* const transport;
  pst::Http::Handler* const handler;
};

namespace {

// Method and target of a request line good enough to log, or "-".
std::pair<std::string, std::string> request_line_for_log(std::string_view pending) {
  const std::string_view line = pending.substr(0, std::min(pending.find("\r\n"), std::size_t{2048}));
  const std::size_t first = line.find(' ');
  if (first == std::string_view::npos) return {"-", "-"};
  const std::size_t second = line.find(' ', first + 1);
  std::string_view target = line.substr(first + 1, second == std::string_view::npos ? std::string_view::npos
                                                                                    : second - first - 1);
  target = target.substr(0, target.find('?'));  // a query may carry secrets
  return {std::string(line.substr(0, first)), target.empty() ? "-" : std::string(target)};
}

pst::Http::Version version_of(std::string_view pending) {
  const std::string_view line = pending.substr(0, pending.find("\r\n"));
  return line.ends_with(" HTTP/1.0") ? pst::Http::Version::Http10 : pst::Http::Version::Http11;
}

// Sends FIN once the last answer is written: the client reads it, then EOF.
// Reading stays open, so bytes still in flight cannot turn into a reset that
// would destroy the answer; Pistache closes the socket when the client does
// (or at the keep-alive timeout).
void close_for_writing(Connection& connection) {
  if (connection.gone) return;
  if (auto peer = connection.peer.lock()) ::shutdown(peer->fd(), SHUT_WR);
}

void pump(const std::shared_ptr<Core>& core, const std::shared_ptr<Connection>& connection);

// After an answer is written: close, or go on with the next request.
WrittenCallback next_request_after(const std::shared_ptr<Core>& core,
                                   const std::shared_ptr<Connection>& connection) {
  std::weak_ptr<Core> weak_core = core;
  return [weak_core, connection](bool closes) {
    {
      std::lock_guard lock(connection->mutex);
      if (closes || connection->closing) {
        connection->closing = true;
        connection->pending.clear();
        close_for_writing(*connection);
        return;
      }
      connection->busy = false;
    }
    if (auto live_core = weak_core.lock()) pump(live_core, connection);
  };
}

// Answers `code` and stops reading the connection (the lock is held; it is
// released while the answer is sent).
void refuse(const std::shared_ptr<Core>& core, const std::shared_ptr<Connection>& connection,
            std::unique_lock<std::mutex>& lock, ErrorCode code, std::string detail) {
  auto peer = connection->peer.lock();
  connection->closing = true;
  connection->busy = true;
  connection->request_started.reset();
  if (!peer || connection->gone) return;
  ExchangeInfo info;
  info.request_id = generate_request_id();
  std::tie(info.method, info.path) = request_line_for_log(connection->pending);
  info.client_ip = peer->address().host();
  info.keep_alive = false;
  const auto version = version_of(connection->pending);
  connection->pending.clear();
  auto exchange = std::make_shared<Exchange>(
      core, pst::Http::ResponseWriter(version, connection->transport, connection->handler, peer), std::move(info),
      next_request_after(core, connection));
  peer.reset();
  lock.unlock();
  exchange->send(Response::problem(code, std::move(detail)));
  lock.lock();
}

void dispatch(const std::shared_ptr<Core>& core, Request request, pst::Http::Version version,
              pst::Http::ResponseWriter writer, WrittenCallback on_written) {
  const auto client_id = request.header("X-Request-Id");
  request.set_request_id(client_id && is_acceptable_request_id(*client_id) ? std::string(*client_id)
                                                                           : generate_request_id());
  const auto origin = request.header("Origin");
  request.set_origin_allowed(origin && core->cors.allows(*origin));

  ExchangeInfo info;
  info.request_id = request.request_id();
  info.method = std::string(method_name(request.method()));
  info.path = request.path();
  info.client_ip = request.client_ip();
  info.user_agent = std::string(request.user_agent().substr(0, kMaxLoggedUserAgentBytes));
  if (request.origin_allowed()) info.allowed_origin = std::string(*origin);
  info.had_origin = origin.has_value();
  const std::string_view authorization = request.header("Authorization").value_or("");
  info.bearer_presented = authorization.size() > 7 && equals_ignoring_case(authorization.substr(0, 7), "Bearer ");
  info.keep_alive = wants_keep_alive(version, request);
  info.received_at = request.received_at();
  AsyncResponse response(std::make_shared<Exchange>(core, std::move(writer), std::move(info), std::move(on_written)));

  Router::Match match = core->router.match(request.method(), request.path());
  if (auto early = screen(*core, request, match)) {
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

// Hands every complete request that has arrived to its handler, one at a
// time: the next one only once the previous answer is written, so pipelined
// requests are answered in order. Whoever changes the state calls pump();
// when another thread is already pumping, that one loops again instead.
void pump(const std::shared_ptr<Core>& core, const std::shared_ptr<Connection>& connection) {
  std::unique_lock lock(connection->mutex);
  if (connection->pumping) return;
  connection->pumping = true;
  const FramingLimits limits{core->options.max_header_bytes, core->options.max_body_bytes};
  auto& parser = *connection->parser;
  while (!connection->busy && !connection->closing && !connection->gone) {
    connection->pending.erase(0, leading_empty_lines(connection->pending));
    if (connection->pending.empty()) {
      connection->request_started.reset();
      break;
    }
    auto peer = connection->peer.lock();
    if (!peer) break;
    if (!connection->request_started) {
      connection->request_started = std::chrono::steady_clock::now();
      // Pistache's own timeouts count from the parser's reset: keep them in step with ours.
      parser.reset();
      peer->setIdle(false);
    }
    const RequestFrame frame = frame_request(connection->pending, limits);
    if (frame.kind == RequestFrame::Kind::incomplete) break;
    if (frame.kind == RequestFrame::Kind::refused) {
      refuse(core, connection, lock, frame.refusal, frame.detail);
      break;
    }
    const std::string bytes = drop_valueless_cookies(std::string_view(connection->pending).substr(0, frame.head_size)) +
                              connection->pending.substr(frame.head_size, frame.size - frame.head_size);
    std::optional<Request> request;
    pst::Http::Version version = pst::Http::Version::Http11;
    try {
      parser.reset();
      if (parser.feed(bytes.data(), bytes.size()) && parser.parse() == pst::Http::Private::State::Done) {
        request = to_request(parser.request);
        version = parser.request.version();
      }
    } catch (const std::exception&) {
      // Pistache throws on what it cannot read (an unknown method, some header values).
    }
    parser.reset();
    if (!request) {
      refuse(core, connection, lock, ErrorCode::bad_request, "malformed HTTP request");
      break;
    }
    connection->pending.erase(0, frame.size);
    connection->request_started.reset();
    connection->busy = true;
    request->set_client_ip(
        client_ip_for(peer->address().host(), request->header("X-Forwarded-For"), core->options.trust_forwarded_for));
    pst::Http::ResponseWriter writer(version, connection->transport, connection->handler, peer);
    peer.reset();
    lock.unlock();
    dispatch(core, std::move(*request), version, std::move(writer), next_request_after(core, connection));
    lock.lock();
  }
  connection->pumping = false;
}

// A request whose line, headers or body are still incomplete after the
// request timeout is answered 408 and its connection closed (slowloris).
// Pistache has its own clock for this, but answers in plain text; its
// timeouts are set a little longer, so this one answers first.
void expire_slow_requests(const std::shared_ptr<Core>& core) {
  const auto now = std::chrono::steady_clock::now();
  for (const auto& connection : core->connections()) {
    std::unique_lock lock(connection->mutex);
    if (connection->busy || connection->closing || connection->gone || !connection->request_started) continue;
    if (now - *connection->request_started < core->options.request_timeout) continue;
    refuse(core, connection, lock, ErrorCode::request_timeout,
           "the request did not arrive within " + std::to_string(core->options.request_timeout.count()) + " s");
  }
}

class EndpointHandler final : public pst::Http::Handler {
 public:
  HTTP_PROTOTYPE(EndpointHandler)

  explicit EndpointHandler(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  // Unused: onInput below frames and dispatches itself.
  void onRequest(const pst::Http::Request&, pst::Http::ResponseWriter) override {}

  void onConnection(const std::shared_ptr<pst::Tcp::Peer>& peer) override {
    // What Pistache's (private) onConnection does, plus our state.
    auto parser = std::make_shared<pst::Http::RequestParser>(getMaxRequestSize());
    peer->putData(ParserData, parser);
    auto connection = std::make_shared<Connection>(std::move(parser), peer, transport(), this);
    peer->putData(kConnectionData, connection);
    core_->track(connection);
  }

  void onDisconnection(const std::shared_ptr<pst::Tcp::Peer>& peer) override {
    auto connection = connection_of(peer);
    if (!connection) return;
    std::lock_guard lock(connection->mutex);
    connection->gone = true;
  }

 private:
  // Replaces Pistache's onInput (on the connection's thread, like it): the
  // bytes are framed by us (request_framing.hpp) and every refusal is a
  // problem+json answer after which the connection is closed.
  void onInput(const char* buffer, size_t len, const std::shared_ptr<pst::Tcp::Peer>& peer) override {
    auto connection = connection_of(peer);
    if (!connection) return;
    {
      std::unique_lock lock(connection->mutex);
      if (connection->closing) return;
      connection->pending.append(buffer, len);
      // What a client may send ahead while it waits for answers: a few
      // requests of the largest size; past that the connection is refused.
      const std::size_t ceiling = 2 * (core_->options.max_header_bytes + core_->options.max_body_bytes);
      if (connection->pending.size() > ceiling && connection->busy) {
        connection->closing = true;
        connection->pending.clear();
        return;
      }
    }
    pump(core_, connection);
  }

  static std::shared_ptr<Connection> connection_of(const std::shared_ptr<pst::Tcp::Peer>& peer) {
    return std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionData));
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

constexpr std::chrono::seconds kPistacheTimeoutMargin{5};

class HttpServer::Runtime {
 public:
  std::mutex mutex;
  std::unique_ptr<pst::Http::Endpoint> endpoint;
  std::atomic<std::uint16_t> port{0};  // read without the mutex: stop() holds it while draining
  bool started = false;
  bool stopped = false;
  std::jthread request_clock;  // runs expire_slow_requests a few times a second
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
                              .maxRequestSize(2 * (o.max_body_bytes + o.max_header_bytes))
                              // A backstop only: expire_slow_requests answers first.
                              .headerTimeout(o.request_timeout + kPistacheTimeoutMargin)
                              .bodyTimeout(o.request_timeout + kPistacheTimeoutMargin)
                              .keepaliveTimeout(o.keepalive_timeout);
  endpoint->init(endpoint_options);
  endpoint->setHandler(std::make_shared<EndpointHandler>(core_));
  try {
    endpoint->serveThreaded();
  } catch (const std::exception& error) {
    throw std::runtime_error("cannot listen on " + o.listen + ": " + error.what());
  }
  runtime_->request_clock = std::jthread([core = core_](std::stop_token stop) {
    std::mutex clock_mutex;
    std::condition_variable_any tick;
    std::unique_lock clock_lock(clock_mutex);
    while (!tick.wait_for(clock_lock, stop, std::chrono::milliseconds(200), [] { return false; })) {
      if (stop.stop_requested()) return;
      expire_slow_requests(core);
    }
  });
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
  runtime_->request_clock = {};  // stops and joins it
  runtime_->endpoint->shutdown();
  runtime_->endpoint.reset();  // joins the accept and connection threads
  runtime_->stopped = true;
}

}  // namespace sesame::server::http
