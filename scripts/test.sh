#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test and the deployment checks
# (the compose file, the Dockerfile, the Debian package installed and removed), then a short smoke
# of the fuzzer and of every benchmark. Run as root on Debian 12. Exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/install-deps.sh
bash scripts/build.sh "$here/build"
bash scripts/browser-deps.sh
echo "== tests"
ctest --test-dir "$here/build" --output-on-failure
echo "== deployment: docker-compose.yml, docker/Dockerfile, the Debian package"
bash scripts/check-deploy.sh
bash scripts/test-package.sh "$here/build"
if [ -x scripts/fuzz.sh ]; then
  echo "== fuzz smoke"
  bash scripts/fuzz.sh --seconds "${ORTHANC_ECG_FUZZ_SECONDS:-60}"
fi
echo "== benchmark smoke"
bash bench/run-all.sh "$here/build" --quick
