#!/usr/bin/env bash
# The run command: installs, builds and runs orthanc-ecg on this machine, on 127.0.0.1 only.
#   1. a private PostgreSQL 15 cluster (owned by the postgres user) under .run/pg
#   2. Orthanc 1.10 with libOrthancEcg.so, HTTP on 8042 (or a free port), DICOM on 4242 (or free)
#   3. loads ECGs: the PTB-XL subset of ../shared/data as DICOM when present (plus the real
#      Mortara ECG), else synthetic patients; uploads them over REST and waits for the store
#   4. exports the store and trains a model (CPU, bounded by ECG_TRAIN_MINUTES), then evaluates it
#   5. leaves Orthanc and PostgreSQL running; scripts/stop.sh stops them.
# Run as root on Debian 12 from the repository root. Environment: ECG_HOME (state, default .run),
# ECG_TRAIN_MINUTES (default 5), ECG_SYNTH_PATIENTS (default 60).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/install-deps.sh
bash scripts/build.sh "$here/build"
source scripts/services.sh

home=${ECG_HOME:-$here/.run}
cli="$here/build/orthanc-ecg"
shared="$here/../shared/data"
mkdir -p "$home"
stop_orthanc "$home/orthanc.pid"
stop_postgres "$home/pg"

pg_port=$(free_port)
http_port=8042; port_free $http_port || http_port=$(free_port)
dicom_port=4242; port_free $dicom_port || dicom_port=$(free_port)
start_postgres "$home/pg" "$pg_port"
db="postgresql://postgres@127.0.0.1:$pg_port/ecg"
echo "$db" >"$home/db-uri"
"$cli" db migrate --db "$db"

mkdir -p "$home/orthanc-storage" "$home/ecg-data"
write_orthanc_config "$home/orthanc.json" "$http_port" "$dicom_port" "$home/orthanc-storage" \
  "$here/build/libOrthancEcg.so" "$db" "$home/ecg-data"
start_orthanc "$home/orthanc.json" "$home/orthanc.log" "$home/orthanc.pid" "$http_port"
url="http://127.0.0.1:$http_port"
echo "Orthanc with orthanc-ecg: $url (log: $home/orthanc.log)"

echo "== loading ECGs"
rm -rf "$home/dicom"
mkdir -p "$home/dicom"
if [ -d "$shared/ptbxl" ]; then
  "$cli" wfdb2dcm --ptbxl "$shared/ptbxl" --out "$home/dicom"
  cp "$shared/dicom/"*.dcm "$home/dicom/" 2>/dev/null || true
else
  "$cli" synth --patients "${ECG_SYNTH_PATIENTS:-60}" --per-patient 3 --seed 1 --out "$home/dicom"
fi
files=$(find "$home/dicom" -name '*.dcm' | wc -l)
find "$home/dicom" -name '*.dcm' -print0 |
  xargs -0 -P 4 -I{} curl -sf -o /dev/null -X POST -H 'Expect:' --data-binary @{} "$url/instances"
echo "uploaded $files DICOM files; waiting for the store"
for _ in $(seq 1 600); do
  stored=$(curl -sf "$url/ecg/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ecgs"])')
  [ "$stored" -ge "$files" ] && break
  sleep 1
done
curl -sf "$url/ecg/status"
echo

echo "== training (CPU, at most ${ECG_TRAIN_MINUTES:-5} minutes)"
"$cli" export --db "$db" --out "$home/train.ecgarch"
config=config/model-tiny.json
[ -d "$shared/ptbxl" ] && config=config/model-ptbxl-cpu.json
rm -rf "$home/model"
"$cli" train --data "$home/train.ecgarch" --config "$config" --out "$home/model" \
  --max-minutes "${ECG_TRAIN_MINUTES:-5}" --threads 2
if [ -d "$shared/ptbxl" ]; then
  # The demo trains on every ECG in the store, so this evaluation includes the patients it trained
  # on; docs/model.md gives the held-out protocol and figures.
  echo "== evaluation on the PTB-XL subset, training patients included (model vs random vs median beat)"
  "$cli" eval --model "$home/model" --data "$shared/ptbxl" \
    --metadata "$shared/ptbxl/ptbxl_database.csv" --pretty | tee "$home/eval.json"
fi

patient=$(curl -sf "$url/patients" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0])')
cat <<TXT

orthanc-ecg is running (stop it with: bash scripts/stop.sh).
  Orthanc Explorer:         $url/app/explorer.html
  store status:             curl $url/ecg/status
  a patient's ECG timeline: curl $url/ecg/patients/$patient/ecgs
  one ECG / its signal:     curl $url/ecg/ecgs/<orthanc instance id>[/signal?format=csv]
  decode errors:            curl $url/ecg/errors
  trained model:            $home/model
TXT
