# Tests of server/src/mail: templates, the MIME message, the sender's backoff.
# Delivery itself (SMTP, retries, two instances) is tested over real HTTP in
# api/recovery_api_test.cpp. Paths are relative to tests/server.
sesame_add_test(server_mail_tests SOURCES mail/mail_test.cpp LIBRARIES sesame::server)
