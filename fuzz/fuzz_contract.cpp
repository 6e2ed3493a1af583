// Every JSON request decoder of the API contract (core/contract): the first
// byte picks the decoder, the rest is the body. Nothing may crash or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sesame/contract.hpp"

namespace {

using namespace sesame::api;

template <class T>
void decode(std::string_view body) {
  (void)sesame::api::parse_body<T>(body);
}

using Decoder = void (*)(std::string_view);
constexpr Decoder kDecoders[] = {
  &decode<RegisterRequest>,       &decode<TokenRequest>,           &decode<MfaVerifyRequest>,
  &decode<RefreshRequest>,        &decode<PasswordChangeRequest>,  &decode<PasswordResetInitiateRequest>,
  &decode<PasswordResetCompleteRequest>, &decode<EmailVerifyRequest>, &decode<TotpSetupRequest>,
  &decode<TotpConfirmRequest>,    &decode<TotpDisableRequest>,     &decode<BackupCodesRegenerateRequest>,
  &decode<AdminCreateUserRequest>, &decode<AdminUpdateUserRequest>,
  // What the SDK reads from the server.
  &decode<TokenResponse>,         &decode<SignInResult>,           &decode<Problem>,
  &decode<SessionsResponse>,      &decode<AdminUserList>,          &decode<AuditEventList>,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  kDecoders[data[0] % std::size(kDecoders)](body);
  return 0;
}
