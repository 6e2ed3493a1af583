#include "auth/mfa/backup_code_hashing.hpp"

#include "auth/identifiers.hpp"
#include "security/secret_bytes.hpp"
#include "sesame/backup_codes.hpp"

namespace sesame::server {

Outcome<BackupCodeSet> make_backup_code_set(const UserId& user, const PasswordHasher& hasher, RandomSource& random,
                                            std::int64_t now) {
  auto codes = generate_backup_codes(random);
  if (!codes.ok()) return to_failure(codes.error());
  BackupCodeSet set;
  for (std::string& code : codes.value()) {
    auto hash = hasher.hash(code);
    if (!hash.ok()) return to_failure(hash.error());
    BackupCodeRecord row;
    row.id = new_uuid_v4(random);
    row.user_id = user;
    row.lookup = code.substr(0, kBackupCodeLookupChars);
    row.code_hash = std::move(hash.value());
    row.created_at = now;
    set.rows.push_back(std::move(row));
    set.display.push_back(format_backup_code(code));
    wipe_string(code);
  }
  return set;
}

Outcome<bool> redeem_backup_code(MfaStore& store, const PasswordHasher& hasher, const UserId& user,
                                 std::string_view typed, std::int64_t now) {
  auto code = normalize_backup_code(typed);
  if (!code.ok()) {
    hasher.dummy_verify(typed);
    return false;
  }
  auto candidates = store.find_backup_codes(user, std::string_view(*code).substr(0, kBackupCodeLookupChars));
  if (!candidates.ok()) return to_failure(candidates.error());
  bool redeemed = false;
  bool verified_any = false;
  for (const BackupCodeRecord& candidate : *candidates) {
    verified_any = true;
    if (!hasher.verify(candidate.code_hash, *code)) continue;
    auto consumed = store.consume_backup_code(candidate.id, now);
    if (!consumed.ok()) return to_failure(consumed.error());
    redeemed = *consumed;
    break;
  }
  if (!verified_any) hasher.dummy_verify(*code);
  wipe_string(*code);
  return redeemed;
}

}  // namespace sesame::server
