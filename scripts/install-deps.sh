#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running orthanc-ecg needs.
# Run as root. Skips apt entirely when everything is already installed.
#   scripts/install-deps.sh            everything (the test command)
#   scripts/install-deps.sh --product  without the test-only tools (the browser for the page's
#                                      tests, docker-compose for the compose check): the run
#                                      command and the Docker image
set -euo pipefail
product_only=false
[ "${1:-}" = "--product" ] && product_only=true
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev libzstd-dev libgtest-dev
  libdcmtk-dev dcmtk dicom3tools
  libpqxx-dev postgresql
  libtorch-dev
  libfaiss-dev libopenblas-dev
  orthanc orthanc-dev
  clang libclang-rt-14-dev
  curl procps python3
)
if ! $product_only; then
  packages+=(docker-compose chromium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian's postgresql package starts a system cluster on 5432; orthanc-ecg runs its own private
# clusters, and the Debian orthanc service is not used either.
