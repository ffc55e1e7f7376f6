#!/usr/bin/env bash
# Stops what scripts/run.sh started (Orthanc, then the private PostgreSQL cluster).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/services.sh"
home=${ECG_HOME:-$here/.run}
stop_orthanc "$home/orthanc.pid"
stop_postgres "$home/pg"
echo "stopped"
