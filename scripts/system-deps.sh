#!/usr/bin/env bash
# System packages the test suite drives for real: poppler-utils (PDF pages to PNG/text),
# Debian's chromium (the studio's browser tests) and openssl (a local RFC 3161 time-stamp
# authority for the provenance tests). Installed when missing and possible (root
# with apt); otherwise say what those tests will skip.
set -euo pipefail

APT_PACKAGES=(poppler-utils chromium openssl)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
((${#missing[@]})) || exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "note: ${missing[*]} not installed (needs root and apt); their tests will be skipped" >&2
fi
