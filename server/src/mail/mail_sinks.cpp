#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "mail/mail_sink.hpp"

namespace sesame::server {
namespace {

std::string header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) continue;  // CR, LF and friends: no header injection
    out += c;
  }
  return out;
}

std::string rfc5322_date(std::int64_t now) {
  const std::time_t seconds = static_cast<std::time_t>(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string("localhost") : std::string(address.substr(at + 1));
}

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t room = size * count;
  const std::size_t n = std::min(room, upload->data.size() - upload->offset);
  std::copy_n(upload->data.data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

}  // namespace

std::string envelope_address(std::string_view from) {
  const auto open = from.find('<');
  const auto close = from.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return header_value(from.substr(open + 1, close - open - 1));
  }
  return header_value(from);
}

std::string mime_message(const MailRecord& mail, std::string_view from, std::int64_t now) {
  // The outbox id is unique, random and free of the boundary's characters.
  const std::string boundary = "sesame-" + header_value(mail.id);
  std::string message;
  message += "From: " + header_value(from) + "\r\n";
  message += "To: " + header_value(mail.to) + "\r\n";
  message += "Subject: " + header_value(mail.subject) + "\r\n";
  message += "Date: " + rfc5322_date(now) + "\r\n";
  message += "Message-ID: <" + header_value(mail.id) + "@" + domain_of(envelope_address(from)) + ">\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Auto-Submitted: auto-generated\r\n";
  message += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  message += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  message += mail.text_body + "\r\n";
  message += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  message += mail.html_body + "\r\n";
  message += "--" + boundary + "--\r\n";
  return message;
}

Result<void> SmtpSink::deliver(const MailRecord& mail, std::int64_t now) {
  const std::string message = mime_message(mail, settings_.from, now);
  const std::string sender = "<" + envelope_address(settings_.from) + ">";
  const std::string recipient = "<" + envelope_address(mail.to) + ">";
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Error{ErrorCode::service_unavailable, "smtp: curl_easy_init failed"};
  char error_text[CURL_ERROR_SIZE] = {0};
  Upload upload{message, 0};
  curl_slist* recipients = curl_slist_append(nullptr, recipient.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // smtp:// upgrades with STARTTLS whenever the server offers it; smtps:// is TLS from the start.
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, settings_.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    std::string reason = error_text[0] != '\0' ? std::string(error_text) : std::string(curl_easy_strerror(rc));
    return Error{ErrorCode::service_unavailable, "smtp: " + header_value(reason)};
  }
  return {};
}

Result<void> StdoutSink::deliver(const MailRecord& mail, std::int64_t now) {
  const std::string message = mime_message(mail, from_, now);
  std::lock_guard lock(mutex_);
  std::fprintf(stdout, "----- mail %s -----\n%s----- end of mail -----\n", mail.id.c_str(), message.c_str());
  std::fflush(stdout);
  return {};
}

Result<SmtpSettings> with_credentials_file(SmtpSettings settings, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::invalid_argument, "SESAME_SMTP_CREDENTIALS_FILE: cannot read " + path};
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  const auto colon = line.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Error{ErrorCode::invalid_argument, "SESAME_SMTP_CREDENTIALS_FILE must hold user:password"};
  }
  settings.username = line.substr(0, colon);
  settings.password = line.substr(colon + 1);
  return settings;
}

}  // namespace sesame::server
