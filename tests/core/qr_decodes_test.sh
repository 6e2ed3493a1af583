#!/bin/sh
# Renders qr_svg() output to PNG and scans it with a real decoder, so the SVG is
# known to be a QR code that phones read back to the exact text.
# Needs rsvg-convert (Debian: librsvg2-bin) and zbarimg (Debian: zbar-tools);
# exits 77 (ctest: skipped) when they are missing.
# Usage: qr_decodes_test.sh <path to qr_svg_tool>
set -eu
tool=$1
for needed in rsvg-convert zbarimg; do
  if ! command -v "$needed" >/dev/null 2>&1; then
    echo "SKIP: $needed is not installed (apt-get install librsvg2-bin zbar-tools)"
    exit 77
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checked=0

# check <text> <level> <width in pixels>
check() {
  "$tool" "$1" "$2" >"$work/code.svg"
  rsvg-convert --width "$3" --format png --output "$work/code.png" "$work/code.svg"
  # --raw: no charset guessing; -Sbinary: the bytes as encoded; printf strips the final newline.
  decoded=$(zbarimg --quiet --raw --nodbus -Sdisable -Sqrcode.enable -Sbinary "$work/code.png" 2>"$work/zbar.err" || true)
  checked=$((checked + 1))
  if [ "$decoded" != "$1" ]; then
    failures=$((failures + 1))
    echo "FAIL ($2, ${3}px): expected '$1'"
    echo "                 decoded '$decoded'"
    cat "$work/zbar.err"
  fi
}

uri='otpauth://totp/Sesame:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Sesame&algorithm=SHA1&digits=6&period=30'
for level in L M Q H; do
  check "$uri" "$level" 400
done
check 'otpauth://totp/B%C3%BCcher%20%26%20Co:j%C3%B6rg%2Btag%40example.com?secret=BMYFK6U7YTUQ4M2YPWRMP3ARGZNYBJOK54KDSXUDVDG7EFZ4MGDKXUHVDI7WJCNO2P4B2QTHRSY5N6ZAIVVI7NGZ7YRUQ3MSW7OACJQ&issuer=B%C3%BCcher%20%26%20Co&algorithm=SHA512&digits=7&period=45' M 500
check 'Bücher & Co 🔐' M 300
check 'HELLO WORLD 0123456789' Q 300
check '0123456789012345678901234567890' L 300
long=$(printf 'otpauth://totp/Sesame:bob?secret=JBSWY3DPEHPK3PXP&image=%0900d' 0)
check "$long" M 1200

echo "$checked checked, $failures failed"
[ "$failures" -eq 0 ]
