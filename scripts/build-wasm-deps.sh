#!/usr/bin/env bash
# Builds the core's C/C++ dependencies for WebAssembly from Debian source
# packages (the same versions the native build links), into a prefix cached
# outside the work tree and keyed by the versions involved:
#   $SESAME_CACHE_DIR/wasm-deps/<key>/{include,lib}
# Prints the prefix on its last line. Quick when the cache is warm.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pkg_version() { dpkg-query -W -f='${Version}' "$1"; }
src_name() { dpkg-query -W -f='${source:Package}' "$1"; }
src_version() { dpkg-query -W -f='${source:Version}' "$1"; }

emcc_version=$(emcc -dumpversion 2>/dev/null) || die "emcc not found: run scripts/bootstrap.sh"
sodium_version=$(pkg_version libsodium-dev)
qrcodegen_version=$(pkg_version libqrcodegen-dev)
json_version=$(pkg_version nlohmann-json3-dev)
# Bump when this recipe changes what it builds, so stale caches are not reused.
recipe=2
key="r${recipe}_emcc-${emcc_version}_sodium-${sodium_version}_qrcodegen-${qrcodegen_version}_json-${json_version}"
key=${key//[^A-Za-z0-9._-]/_}
prefix="$SESAME_CACHE_DIR/wasm-deps/$key"

step "WebAssembly dependencies ($key)"
if [ -f "$prefix/.complete" ]; then
  note "cached at $prefix"
  echo "$prefix"
  exit 0
fi

# apt-get source needs deb-src entries for the suites we install from.
ensure_deb_src() {
  if apt-cache showsrc "$(src_name libsodium-dev)" 2>/dev/null | grep -q '^Version:'; then return; fi
  note "adding deb-src entries for the configured Debian suites"
  local src=/etc/apt/sources.list.d/debian.sources
  [ -f "$src" ] || die "no $src to derive deb-src entries from; add deb-src lines for your suites"
  sed 's/^Types: deb$/Types: deb-src/' "$src" | as_root tee /etc/apt/sources.list.d/sesame-deb-src.sources >/dev/null
  as_root apt-get update -q
}
ensure_deb_src

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Built in place; each dependency leaves a stamp so a failed run resumes.
staging="$prefix"
mkdir -p "$staging/include" "$staging/lib"

fetch_source() {  # fetch_source <source package> <version>: unpacks into $work/<pkg>
  local pkg=$1 version=$2
  note "apt-get source $pkg=$version"
  if ! (cd "$work" && apt-get source -q "$pkg=$version" >"$work/$pkg-source.log" 2>&1); then
    # Some mirrors lack a package's Debian diff; the upstream tarball that apt
    # fetched (checked against the .dsc) is then used without Debian's patches.
    local orig
    orig=$(find "$work" -maxdepth 1 -name "${pkg}_*.orig.tar.*" | head -1)
    [ -n "$orig" ] || { cat "$work/$pkg-source.log"; die "apt-get source $pkg failed"; }
    note "Debian diff unavailable; unpacking the upstream tarball $(basename "$orig")"
    mkdir -p "$work/$pkg-orig" && tar -xf "$orig" -C "$work/$pkg-orig"
    mv "$(find "$work/$pkg-orig" -mindepth 1 -maxdepth 1 -type d | head -1)" "$work/$pkg"
    return
  fi
  local dir
  dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | head -1)
  [ -n "$dir" ] || die "no unpacked source for $pkg"
  mv "$dir" "$work/$pkg"
}

# libsodium: only what the core uses is reached at link time; the build is the
# upstream one, configured for wasm32 without asm, threads or stack protector.
if [ ! -f "$staging/.sodium" ]; then
step "libsodium $sodium_version (about 2 min on 2 cores)"
fetch_source "$(src_name libsodium-dev)" "$(src_version libsodium-dev)"
mv "$work/$(src_name libsodium-dev)" "$work/libsodium-src" 2>/dev/null || true
(
  cd "$work/libsodium-src"
  note "autogen"; ./autogen.sh -s >"$work/sodium-autogen.log" 2>&1 || { cat "$work/sodium-autogen.log"; exit 1; }
  note "configure"
  emconfigure ./configure --host=wasm32-unknown-emscripten --prefix="$staging" \
    --disable-shared --enable-static --disable-asm --without-pthreads --disable-ssp \
    CFLAGS="-Oz" >"$work/sodium-configure.log" 2>&1 || { tail -40 "$work/sodium-configure.log"; exit 1; }
  note "make ($(jobs_count) jobs)"
  emmake make -j"$(jobs_count)" install >"$work/sodium-make.log" 2>&1 || { tail -40 "$work/sodium-make.log"; exit 1; }
)
note "installed $(du -h "$staging/lib/libsodium.a" | cut -f1) libsodium.a"
touch "$staging/.sodium"
fi

if [ ! -f "$staging/.qrcodegen" ]; then
step "qrcodegen $qrcodegen_version"
qr_pkg=$(src_name libqrcodegen-dev)
fetch_source "$qr_pkg" "$(src_version libqrcodegen-dev)"
# The C edition (no exceptions, no iostreams): one file, compiled directly.
qr_src=$(find "$work/$qr_pkg" -path '*/c/qrcodegen.c' | head -1)
[ -n "$qr_src" ] || die "c/qrcodegen.c not found in the source package"
mkdir -p "$staging/include/qrcodegen"
cp "$(dirname "$qr_src")/qrcodegen.h" "$staging/include/qrcodegen/"
emcc -std=c99 -Oz -DNDEBUG -c "$qr_src" -o "$work/qrcodegen.o"
emar rcs "$staging/lib/libqrcodegen.a" "$work/qrcodegen.o"
note "installed libqrcodegen.a"
touch "$staging/.qrcodegen"
fi

# nlohmann/json is header-only: expose just its folder (never all of /usr/include).
ln -sfn /usr/include/nlohmann "$staging/include/nlohmann"

touch "$staging/.complete"
note "done: $prefix"
echo "$prefix"
