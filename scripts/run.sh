#!/usr/bin/env bash
# The run command: installs, builds and shows the product on this machine.
# Run as root on Debian 12 from the repository root.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/install-deps.sh
bash scripts/build.sh "$here/build"
cli="$here/build/orthanc-ecg"
"$cli" --version
