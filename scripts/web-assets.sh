#!/usr/bin/env bash
# Installs the npm packages of the web pages (web/package-lock.json: ECharts)
# and of the browser tests (tests/e2e/package-lock.json: playwright-core) with
# `npm ci`, and copies ECharts' module into web/vendor/, which the server
# serves and git ignores. Offline-safe: a tree already installed from the
# same lockfile is left alone, so a machine without the registry can rerun it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# Runs `npm ci` in a folder unless its node_modules was installed from the
# lockfile it has now (npm keeps a copy in node_modules/.package-lock.json).
install_from_lockfile() {
  local folder=$1
  if [ -f "$folder/node_modules/.hotline-lock" ] && cmp -s "$folder/package-lock.json" "$folder/node_modules/.hotline-lock"; then
    return 0
  fi
  echo "web-assets: npm ci in ${folder#"$root"/}"
  (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$folder/package-lock.json" "$folder/node_modules/.hotline-lock"
}

if ! command -v npm >/dev/null; then
  echo "web-assets: npm is missing (scripts/bootstrap.sh installs it)" >&2
  exit 1
fi
install_from_lockfile "$root/web"
mkdir -p "$root/web/vendor"
cp "$root/web/node_modules/echarts/dist/echarts.esm.min.mjs" "$root/web/vendor/echarts.esm.min.mjs"
if [ "${1:-}" = "--with-tests" ]; then
  install_from_lockfile "$root/tests/e2e"
fi
