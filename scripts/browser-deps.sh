#!/usr/bin/env bash
# Installs the browser test's npm package (tests/browser: playwright-core, pinned by
# package-lock.json) with `npm ci`; Debian's chromium comes from scripts/install-deps.sh. The
# test (tests/plugin/clinician_page_test.cc) skips when either is missing. Run by scripts/test.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here/tests/browser"
if ! command -v npm >/dev/null 2>&1; then
  echo "browser-deps: npm not found: the browser test will be skipped"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "browser-deps: playwright-core $(node -p 'require("./node_modules/playwright-core/package.json").version')"
