#pragma once
// Backup codes at rest (ASVS 5.0 §6.5: lookup secrets under 112 bits are
// salted and hashed with a password hash): each code of a set is stored as a
// peppered Argon2id hash, next to its first few characters in the clear. The
// prefix finds the one row a typed code can match, so checking a code costs
// one Argon2 verification, not one per code of the set; what stays secret (40
// of 50 bits) is still behind the pepper and Argon2. Run these on the hashing pool.

#include <string>
#include <string_view>
#include <vector>

#include "auth/service.hpp"
#include "sesame/random.hpp"
#include "security/password_hasher.hpp"
#include "store/store.hpp"

namespace sesame::server {

inline constexpr std::size_t kBackupCodeLookupChars = 2;

struct BackupCodeSet {
  std::vector<std::string> display;    // "abcde-fghjk", shown once
  std::vector<BackupCodeRecord> rows;  // what the store keeps
};

// A fresh set of the core's default size.
[[nodiscard]] Outcome<BackupCodeSet> make_backup_code_set(const UserId& user, const PasswordHasher& hasher,
                                                          RandomSource& random, std::int64_t now);

// True when `typed` (normalised by the core: case, spaces, dashes) is an unused
// code of the user's set, which is then used up: of concurrent redemptions of
// one code, exactly one is true. A typed code that matches no row still costs
// one Argon2 verification, so timing does not tell a near miss.
[[nodiscard]] Outcome<bool> redeem_backup_code(MfaStore& store, const PasswordHasher& hasher, const UserId& user,
                                               std::string_view typed, std::int64_t now);

}  // namespace sesame::server
