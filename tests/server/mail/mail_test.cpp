#define BOOST_TEST_MODULE server_mail
#include <boost/test/unit_test.hpp>

#include "mail/mail_sink.hpp"
#include "mail/mail_templates.hpp"
#include "mail/outbox_sender.hpp"

using namespace sesame::server;

BOOST_AUTO_TEST_CASE(html_escape_covers_markup_and_attribute_quotes) {
  BOOST_TEST(html_escape("<a href=\"x\" onclick='y'>&</a>") ==
             "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  BOOST_TEST(html_escape("plain text") == "plain text");
}

BOOST_AUTO_TEST_CASE(templates_link_to_the_public_url_and_escape_user_data_in_html) {
  const MailTemplates templates("Acme <ID>", "https://id.acme.test");
  const auto mail = templates.password_reset("<img src=x onerror=alert(1)>", "eve@acme.test", "TOKEN_abc-123", 30);
  BOOST_TEST(mail.subject == "Reset your Acme <ID> password");
  BOOST_TEST(mail.text.find("https://id.acme.test/?action=reset-password&token=TOKEN_abc-123") != std::string::npos);
  BOOST_TEST(mail.html.find("href=\"https://id.acme.test/?action=reset-password&amp;token=TOKEN_abc-123\"") !=
             std::string::npos);
  BOOST_TEST(mail.html.find("<img") == std::string::npos);
  BOOST_TEST(mail.html.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  BOOST_TEST(mail.html.find("<title>Acme &lt;ID&gt;</title>") != std::string::npos);
  BOOST_TEST(mail.text.find("30 minutes") != std::string::npos);

  const auto verify = templates.email_verification("", "eve@acme.test", "T", 24);
  BOOST_TEST(verify.text.find("Hello eve@acme.test,") == 0);  // no name: the address greets
  BOOST_TEST(verify.text.find("https://id.acme.test/?action=verify-email&token=T") != std::string::npos);
  for (auto alert : {SecurityAlert::refresh_token_reused, SecurityAlert::password_changed, SecurityAlert::password_reset,
                     SecurityAlert::mfa_enabled, SecurityAlert::mfa_disabled, SecurityAlert::email_verified}) {
    const auto composed = templates.security_alert("<b>Eve</b>", "eve@acme.test", alert);
    BOOST_TEST(!composed.subject.empty());
    BOOST_TEST(composed.html.find("<b>Eve") == std::string::npos);
    BOOST_TEST(security_alert_kind(alert).substr(0, 6) == "alert.");
  }
}

BOOST_AUTO_TEST_CASE(mime_message_headers_cannot_be_injected) {
  MailRecord mail;
  mail.id = "0190-abc";
  mail.to = "eve@acme.test\r\nBcc: everyone@acme.test";
  mail.subject = "Hello\r\nX-Evil: 1";
  mail.text_body = "text\r\n";
  mail.html_body = "<p>html</p>\r\n";
  const std::string message = mime_message(mail, "Acme <no-reply@acme.test>", 1'800'000'000);
  BOOST_TEST(message.find("\r\nBcc:") == std::string::npos);
  BOOST_TEST(message.find("\r\nX-Evil:") == std::string::npos);
  BOOST_TEST(message.find("To: eve@acme.testBcc: everyone@acme.test\r\n") != std::string::npos);
  BOOST_TEST(message.find("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n") != std::string::npos);
  BOOST_TEST(message.find("Message-ID: <0190-abc@acme.test>\r\n") != std::string::npos);
  BOOST_TEST(message.find("Content-Type: multipart/alternative; boundary=\"sesame-0190-abc\"") != std::string::npos);
  BOOST_TEST(message.find("--sesame-0190-abc--\r\n") != std::string::npos);
  BOOST_TEST(envelope_address("Acme <no-reply@acme.test>") == "no-reply@acme.test");
  BOOST_TEST(envelope_address("bare@acme.test") == "bare@acme.test");
}

BOOST_AUTO_TEST_CASE(backoff_doubles_from_the_base_up_to_the_cap) {
  OutboxSenderOptions options;
  options.backoff_base_seconds = 30;
  options.backoff_cap_seconds = 3600;
  BOOST_TEST(mail_backoff_seconds(1, options) == 30);
  BOOST_TEST(mail_backoff_seconds(2, options) == 60);
  BOOST_TEST(mail_backoff_seconds(3, options) == 120);
  BOOST_TEST(mail_backoff_seconds(7, options) == 1920);
  BOOST_TEST(mail_backoff_seconds(8, options) == 3600);
  BOOST_TEST(mail_backoff_seconds(100, options) == 3600);
}
