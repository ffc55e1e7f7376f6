#!/usr/bin/env bash
# Healthcheck of the orthanc service (docker-compose.yml): healthy once Orthanc answers and the
# plugin reports its store reachable and migrated (/ecg/status "database": "ok").
set -euo pipefail
status=$(curl -fsS --max-time 5 -u "$ORTHANC_USERNAME:$ORTHANC_PASSWORD" \
  http://127.0.0.1:8042/ecg/status)
python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1]).get("database") != "ok")' "$status"
