# Sources of server/src/mail: templates, the outbox sender and its sinks (SMTP
# through libcurl, stdout, dev mailbox). Like auth/, never http/ or api/.
find_package(CURL REQUIRED)
set(SESAME_SERVER_MAIL_SOURCES
  src/mail/mail_templates.cpp
  src/mail/mail_sinks.cpp
  src/mail/outbox_sender.cpp
  src/mail/dev_mailbox.cpp
)
