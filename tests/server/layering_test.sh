#!/usr/bin/env bash
# The layering rule: services (auth/), shared primitives (security/),
# storage (store/) and mail (mail/) never include the HTTP plumbing (http/) or the routes (api/).
# Usage: layering_test.sh SERVER_SRC_DIR. Prints every offending include and
# exits 1 when there is one; exits 2 when the tree is not what it expects.
# layering_test.sh --self-test: the check must refuse a tree that breaks the rule.
set -uo pipefail
if [ "${1:-}" = "--self-test" ]; then
  tree=$(mktemp -d); trap 'rm -rf "$tree"' EXIT
  mkdir -p "$tree/auth/mfa" "$tree/security" "$tree/store" "$tree/mail"
  echo '#include "security/sealer.hpp"' > "$tree/security/sealer.hpp"
  echo '#include "store/store.hpp"' > "$tree/store/store.cpp"
  echo '  # include <http/request.hpp>' > "$tree/auth/mfa/mfa_service.cpp"
  "$0" "$tree" >/dev/null; status=$?
  [ "$status" -eq 1 ] && { echo "layering: the check refuses a service that includes http/"; exit 0; }
  echo "layering: the check passed a tree that breaks the rule (status $status)"; exit 1
fi
src="${1:?usage: layering_test.sh SERVER_SRC_DIR}"
for layer in auth security store mail; do
  [ -d "$src/$layer" ] || { echo "layering: $src/$layer is missing" >&2; exit 2; }
done
checked=$(find "$src/auth" "$src/security" "$src/store" "$src/mail" -type f \( -name '*.cpp' -o -name '*.hpp' \) | wc -l)
[ "$checked" -gt 0 ] || { echo "layering: no sources under $src" >&2; exit 2; }
# #include "http/..." or <http/...>, with any spacing; also "../http/...".
offences=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([.][.]/)*(http|api)/' \
             "$src/auth" "$src/security" "$src/store" "$src/mail" --include='*.cpp' --include='*.hpp')
if [ -n "$offences" ]; then
  echo "layering: these files under auth/, security/, store/ or mail/ include http/ or api/:"
  echo "$offences"
  exit 1
fi
echo "layering: $checked files under auth/, security/, store/ and mail/ include nothing from http/ or api/"
