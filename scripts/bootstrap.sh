#!/usr/bin/env bash
# Installs every Debian package that building, testing and running hotline needs.
# Idempotent: packages already present are left alone; prints what it installs.
# Works as root on a fresh Debian 12 (uses sudo when run as another user).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  clang                       # sanitizer builds and the fuzzing harness
  clang-format                # the layout every C file keeps (scripts/check-format.sh)
  libcmocka-dev               # unit tests
  libsqlite3-dev sqlite3      # embedded store; the sqlite3 CLI is the benchmark peer
  libjansson-dev              # JSON
  libutf8proc-dev             # UTF-8 validation and character counting
  libsodium-dev               # password hashing and phone encryption
  libmicrohttpd-dev           # HTTP server
  libgnutls28-dev             # its TLS: the certificate and its reload (src/http/tls.c)
  openssl                     # throwaway certificates for the TLS tests and the benchmark
  testssl.sh                  # the TLS test's outside check of the running server
  libpq-dev                   # PostgreSQL backend
  postgresql                  # the tests' throwaway server (scripts/pg-throwaway.sh); createdb, psql
  libxlsxwriter-dev           # the bulletin as an Excel workbook
  python3                     # CLI protocol test runner, XLSX read-back
  python3-psycopg2            # the Python tests' oracle reads a PostgreSQL store (tests/support/test_store.py)
  python3-jsonschema          # validating the bulletin's and Open311's JSON against their schemas
  libxml2-utils               # xmllint: Open311's XML answers must be well-formed
  procps                      # pkill/ps in crash tests
  tzdata                      # the time zones a store may be set to (/usr/share/zoneinfo)
  wrk                         # HTTP load for bench/bench_http.sh
  nginx-light                 # the HTTP benchmark's peer (bench/bench_http.sh)
  chromium                    # the web pages' end-to-end tests (tests/e2e, playwright-core)
  fonts-wqy-microhei          # Chinese glyphs in the browser's screenshots
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Node.js and npm (the web pages' ECharts, the browser tests' playwright-core):
# Debian's packages unless a Node.js with npm is already installed (a newer
# one from elsewhere must not be replaced).
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "bootstrap: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "bootstrap: done"
