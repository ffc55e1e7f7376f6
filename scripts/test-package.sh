#!/usr/bin/env bash
# Builds the Debian package (cpack -G DEB, cmake/Packaging.cmake), installs it with dpkg -i,
# starts Debian's own Orthanc (/usr/sbin/Orthanc) with it, then removes and purges it and checks
# that its files are gone.
#   scripts/test-package.sh [BUILD_DIR]    (default build/, built by scripts/build.sh before)
# Run as root on Debian 12, after scripts/install-deps.sh. About a minute.
#
#   1. the package's files, owners and Depends; `orthanc-ecg --help` runs from /usr/bin;
#   2. Orthanc with the package's /etc/orthanc/ecg.json as installed: the plugin loads, stays
#      disabled (/ecg/status 404) and logs no error;
#   3. Orthanc with the section that docker/render-config.py renders from the environment (what
#      the compose image runs), pointing at a private PostgreSQL on a free loopback port: the
#      plugin migrates the store, /ecg/status answers 200 with "database": "ok", an uploaded ECG
#      lands in the store, and the log has no error line from the plugin;
#   4. dpkg -r leaves only the conffile; dpkg --purge removes it too.
# Orthanc listens on free ports with RemoteAccessAllowed false; the system's orthanc service is
# neither started nor restarted (this script refuses to run where one is running). An
# orthanc-ecg package installed before is purged first.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cd "$here"
source scripts/services.sh

fail() { echo "test-package: FAILED: $*" >&2; exit 1; }
step() { echo "test-package: $*"; }

[ "$(id -u)" = 0 ] || fail "run as root (dpkg -i)"
[ -f "$build/libOrthancEcg.so" ] && [ -x "$build/orthanc-ecg" ] ||
  fail "$build has no libOrthancEcg.so and orthanc-ecg: run scripts/build.sh first"
if pgrep -x Orthanc -u orthanc >/dev/null; then
  fail "the system's orthanc service is running: this test installs into /usr/share/orthanc/plugins"
fi
if dpkg-query -W -f='${Status}' orthanc-ecg 2>/dev/null | grep -q installed; then
  step "purging the orthanc-ecg package left installed"
  dpkg --purge orthanc-ecg >/dev/null
fi

work=$(mktemp -d /tmp/orthanc-ecg-package.XXXXXX)
chmod 755 "$work"  # the postgres user enters it
cleanup() {
  stop_orthanc "$work/orthanc.pid"
  stop_postgres "$work/pg"
  if dpkg-query -W -f='${Status}' orthanc-ecg 2>/dev/null | grep -q installed; then
    dpkg --purge orthanc-ecg >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. build and install --------------------------------------------------------------------
step "cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$build/package" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack"; }
deb=$(ls -t "$build"/package/orthanc-ecg_*.deb | head -1)
step "$(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"
for needed in orthanc libtorch1.13 libpqxx-6.4 libdcmtk17 libspdlog1.10 libzstd1; do
  dpkg-deb -f "$deb" Depends | grep -q "\b$needed\b" || fail "Depends lacks $needed"
done
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i"; }
files=(/usr/share/orthanc/plugins/libOrthancEcg.so /usr/bin/orthanc-ecg /etc/orthanc/ecg.json
       /usr/share/orthanc-ecg/config/model-default.json /usr/share/doc/orthanc-ecg/admin.md)
for f in "${files[@]}"; do [ -f "$f" ] || fail "$f is not installed"; done
[ "$(stat -c %U:%G:%a /etc/orthanc/ecg.json)" = root:orthanc:640 ] ||
  fail "/etc/orthanc/ecg.json is $(stat -c %U:%G:%a /etc/orthanc/ecg.json), not root:orthanc:640"
! ldd /usr/bin/orthanc-ecg /usr/share/orthanc/plugins/libOrthancEcg.so | grep -q "not found" ||
  fail "a library is missing: $(ldd /usr/share/orthanc/plugins/libOrthancEcg.so | grep 'not found')"
/usr/bin/orthanc-ecg --help >/dev/null || fail "/usr/bin/orthanc-ecg --help"
step "installed: ${files[*]}"

# --- 2. as installed: disabled, no error -----------------------------------------------------
http_port=$(free_port)
dicom_port=$(free_port)
mkdir -p "$work/config" "$work/storage"
orthanc_json() {
  cat >"$work/config/orthanc.json" <<JSON
{
  "Name": "orthanc-ecg package test",
  "HttpPort": $http_port,
  "DicomPort": $dicom_port,
  "StorageDirectory": "$work/storage",
  "IndexDirectory": "$work/storage",
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "Plugins": ["/usr/share/orthanc/plugins/"]
}
JSON
}
# The plugin's error lines ("E1205 ... [ecg] ...") of a log.
plugin_errors() { grep -E '^E.*\[ecg\]' "$1" || true; }

orthanc_json
cp /etc/orthanc/ecg.json "$work/config/ecg.json"
start_orthanc "$work/config" "$work/disabled.log" "$work/orthanc.pid" "$http_port" ||
  fail "Orthanc did not start with the installed ecg.json"
url="http://127.0.0.1:$http_port"
curl -sf "$url/plugins" | grep -q '"orthanc-ecg"' || fail "Orthanc did not load the plugin"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/ecg/status")
[ "$code" = 404 ] || fail "/ecg/status answered $code with the plugin disabled (expected 404)"
stop_orthanc "$work/orthanc.pid"
grep -q "ECG plugin disabled" "$work/disabled.log" || fail "no 'ECG plugin disabled' line"
[ -z "$(plugin_errors "$work/disabled.log")" ] ||
  fail "the disabled plugin logged errors: $(plugin_errors "$work/disabled.log")"
step "as installed: loaded, disabled, no error"

# --- 3. enabled on a private PostgreSQL --------------------------------------------------------
pg_port=$(free_port)
start_postgres "$work/pg" "$pg_port"
ECG_ENABLE=true ECG_CONNECTION_URI="postgresql://postgres@127.0.0.1:$pg_port/ecg" \
  ECG_DATA_DIRECTORY="$work/ecg-data" ECG_THREADS=2 ECG_TRAINING_SCHEDULE=disabled \
  ECG_TRAINING_WORKER_PATH=/usr/bin/orthanc-ecg \
  python3 docker/render-config.py --ecg "$work/config/ecg.json"
start_orthanc "$work/config" "$work/enabled.log" "$work/orthanc.pid" "$http_port" ||
  fail "Orthanc did not start with the plugin enabled"
database_ok() {
  curl -sf "$url/ecg/status" |
    python3 -c 'import json,sys; sys.exit(json.load(sys.stdin).get("database") != "ok")' 2>/dev/null
}
for _ in $(seq 1 120); do database_ok && break; sleep 0.5; done
database_ok || fail "/ecg/status did not answer 200 with database ok: $(tail -5 "$work/enabled.log")"
status=$(curl -sf "$url/ecg/status" | python3 -c 'import json,sys; s = json.load(sys.stdin)
print("database", s["database"], "ecgs", s["ecgs"], "search", s["search"]["state"])')
step "GET /ecg/status 200: $status"
/usr/bin/orthanc-ecg synth --patients 1 --per-patient 1 --seed 7 --out "$work/dicom" >/dev/null
first=$(find "$work/dicom" -name '*.dcm' | head -1)
curl -sf -o /dev/null -X POST -H 'Expect:' --data-binary @"$first" "$url/instances" ||
  fail "upload of $first"
ecgs=0
for _ in $(seq 1 60); do
  ecgs=$(curl -sf "$url/ecg/status" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["ecgs"])' || true)
  [ "$ecgs" = 1 ] && break
  sleep 0.5
done
[ "$ecgs" = 1 ] || fail "the uploaded ECG did not reach the store: $(tail -5 "$work/enabled.log")"
stop_orthanc "$work/orthanc.pid"
stop_postgres "$work/pg"
[ -z "$(plugin_errors "$work/enabled.log")" ] ||
  fail "the plugin logged errors: $(plugin_errors "$work/enabled.log")"
step "enabled: store migrated, /ecg/status 200, one ECG ingested, no error"

# --- 4. remove, purge --------------------------------------------------------------------------
dpkg -r orthanc-ecg >/dev/null
for f in /usr/share/orthanc/plugins/libOrthancEcg.so /usr/bin/orthanc-ecg /usr/share/orthanc-ecg \
         /usr/share/doc/orthanc-ecg; do
  [ ! -e "$f" ] || fail "$f is left after dpkg -r"
done
[ -f /etc/orthanc/ecg.json ] || fail "dpkg -r removed the conffile /etc/orthanc/ecg.json"
dpkg --purge orthanc-ecg >/dev/null
[ ! -e /etc/orthanc/ecg.json ] || fail "/etc/orthanc/ecg.json is left after dpkg --purge"
dpkg-query -W -f='${Status}' orthanc-ecg 2>/dev/null | grep -q installed &&
  fail "orthanc-ecg is still installed"
step "removed and purged: no file left"
echo "test-package: passed"
