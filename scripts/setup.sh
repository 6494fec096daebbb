#!/usr/bin/env bash
# setup.sh: install the Debian packages Tessera needs to build and test, and only those
# that are missing. Safe to run again: a machine that has everything runs no apt-get.
set -euo pipefail

pkgs=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev
      libsodium-dev libxml2-dev sqlite3 curl python3 python3-boto3)

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
