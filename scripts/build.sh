#!/usr/bin/env bash
# Configures and builds orthanc-ecg into BUILD_DIR (default: build).
#   scripts/build.sh [BUILD_DIR] [extra cmake arguments]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
shift || true
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
jobs=${ORTHANC_ECG_BUILD_JOBS:-$(nproc)}
cmake --build "$build" -j "$jobs"
