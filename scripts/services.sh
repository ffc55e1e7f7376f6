#!/usr/bin/env bash
# Shell functions to run a private PostgreSQL cluster and an Orthanc with the plugin, on loopback.
# Sourced by scripts/run.sh and scripts/stop.sh. State lives under $ECG_HOME (default .run/).
#
# PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user, in a directory it
# owns, listening on 127.0.0.1 only. Orthanc listens on all interfaces (1.10 has no bind-address
# setting) with RemoteAccessAllowed false, so it refuses requests from other machines.

pg_bin=/usr/lib/postgresql/15/bin

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

# start_postgres DIR PORT: initialises DIR on first use, starts the server, creates database ecg.
start_postgres() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log"
  fi
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" start >/dev/null
  if ! runuser -u postgres -- psql -h 127.0.0.1 -p "$port" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='ecg'" | grep -q 1; then
    runuser -u postgres -- psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE ecg"
  fi
}

stop_postgres() {
  local dir=$1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
}

# write_orthanc_config FILE HTTP_PORT DICOM_PORT STORAGE_DIR PLUGIN_SO DB_URI DATA_DIR [TRAINING]
# TRAINING: the JSON object of the "Ecg"."Training" section (docs/admin.md), when given.
write_orthanc_config() {
  local training=""
  [ -z "${8:-}" ] || training=",
    \"Training\": $8"
  cat >"$1" <<JSON
{
  "Name": "orthanc-ecg demo",
  "HttpPort": $2,
  "DicomPort": $3,
  "DicomAet": "ORTHANC",
  "StorageDirectory": "$4",
  "IndexDirectory": "$4",
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "HttpTimeout": 60,
  "Plugins": ["$5"],
  "Ecg": {
    "Enable": true,
    "ConnectionUri": "$6",
    "DataDirectory": "$7",
    "Threads": 2$training
  }
}
JSON
}

# start_orthanc CONFIG LOG PIDFILE HTTP_PORT: starts Orthanc in its own session and waits for it.
start_orthanc() {
  local config=$1 log=$2 pidfile=$3 port=$4
  TCP_NODELAY=1 setsid /usr/sbin/Orthanc "$config" >"$log" 2>&1 < /dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/system" >/dev/null && return 0
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -20 "$log" >&2; return 1; }
    sleep 0.5
  done
  echo "Orthanc did not answer on port $port; see $log" >&2
  return 1
}

stop_orthanc() {
  local pidfile=$1
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$pidfile"
}
