#!/usr/bin/env bash
# setup.sh: install the Debian packages Tessera needs to build and test (Chromium for the
# tests that load pages in a real browser), and only those
# that are missing. Safe to run again: a machine that has everything runs no apt-get.
set -euo pipefail

pkgs=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
      libsodium-dev libxml2-dev libcurl4-openssl-dev sqlite3 curl python3 python3-boto3
      chromium)
# --fuzz: also clang and its libFuzzer and sanitizer runtimes, for fuzz/run.sh (make fuzz).
# Optional because they are large (a few hundred MB) and `make test` does not need them:
# it replays the fuzz corpora under gcc.
if [ "${1:-}" = "--fuzz" ]; then
    pkgs+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# node and npm run tests/sdk-js (the MTurk door under the real AWS SDK for JavaScript).
# Any node on the PATH will do (NodeSource's package, say, which ships its own npm and
# conflicts with Debian's); only when a command is absent does Debian's package come in.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The JavaScript SDK the MTurk tests use, exactly as package-lock.json pins it. npm ci
# runs only when node_modules is absent or older than the lock file, so a second run
# does nothing.
sdk_js="$(cd "$(dirname "$0")/.." && pwd)/tests/sdk-js"
if [ -f "$sdk_js/package-lock.json" ] && command -v npm >/dev/null 2>&1 &&
   { [ ! -d "$sdk_js/node_modules" ] || [ "$sdk_js/package-lock.json" -nt "$sdk_js/node_modules" ]; }; then
    echo "setup: installing tests/sdk-js/node_modules (npm ci)" >&2
    npm ci --prefix "$sdk_js" --no-audit --no-fund --loglevel=error >/dev/null
    touch "$sdk_js/node_modules"
fi
