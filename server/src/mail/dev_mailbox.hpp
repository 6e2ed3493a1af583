#pragma once
// GET /api/v1/dev/mailbox?to=EMAIL (dev mode only): the messages of the
// outbox to one address, oldest first, whether or not a sink delivered them.

#include <string_view>

#include "sesame/contract.hpp"
#include "sesame/result.hpp"
#include "store/store.hpp"

namespace sesame::server {

class DevMailboxReader {
 public:
  explicit DevMailboxReader(MailOutboxStore& store) : store_(store) {}
  [[nodiscard]] Result<api::DevMailbox> messages_to(std::string_view email);

 private:
  MailOutboxStore& store_;
};

}  // namespace sesame::server
