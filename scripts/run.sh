#!/usr/bin/env bash
# The run command: installs, builds and runs orthanc-ecg on this machine, on 127.0.0.1 only.
#   1. a private PostgreSQL 15 cluster (owned by the postgres user) under .run/pg
#   2. Orthanc 1.10 with libOrthancEcg.so, HTTP on 8042 (or a free port), DICOM on 4242 (or free)
#   3. loads ECGs: the PTB-XL subset of ../shared/data as DICOM when present (plus the real
#      Mortara ECG), else synthetic patients; uploads them over REST and waits for the store
#   4. queues a training run through the plugin (POST /ecg/training/run): its local worker exports
#      the store, trains (CPU, bounded by ECG_TRAIN_MINUTES), evaluates, promotes and embeds; the
#      plugin then serves similar-ECG search from the new model's index
#   5. leaves Orthanc and PostgreSQL running; scripts/stop.sh stops them.
# Run as root on Debian 12 from the repository root. Environment: ECG_HOME (state, default .run),
# ECG_TRAIN_MINUTES (default 5), ECG_SYNTH_PATIENTS (default 60).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/install-deps.sh --product
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
config=config/model-zero-whitened.json
training="{\"Schedule\": \"02:00\", \"Worker\": \"local\", \"Device\": \"auto\", \"Config\": \"$here/$config\", \"WorkerPath\": \"$cli\"}"
write_orthanc_config "$home/orthanc.json" "$http_port" "$dicom_port" "$home/orthanc-storage" \
  "$here/build/libOrthancEcg.so" "$db" "$home/ecg-data" "$training"
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

echo "== training: a run queued now through the plugin, as the nightly schedule would (CPU, at most ${ECG_TRAIN_MINUTES:-5} minutes)"
# Search already works: the plugin serves model zero (median beat + rhythm, no training) from its
# start. The plugin's local worker exports the store, trains, evaluates on held-out patients and,
# only if the new model beats the active one (model zero here) on fingerprint top-1 and
# same-patient recall@10 (tools/worker_gate.h, no tolerance), embeds every ECG and activates it;
# otherwise model zero stays, and the run's reason says why.
overrides="{\"train\": {\"max_minutes\": ${ECG_TRAIN_MINUTES:-5}}}"
run_id=$(curl -sf -X POST "$url/ecg/training/run" --data "$overrides" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')
run_field() {
  curl -sf "$url/ecg/training/runs" | python3 -c "import json,sys
run = [r for r in json.load(sys.stdin)['runs'] if r['run_id'] == $run_id][0]
print($1)"
}
while :; do
  status=$(run_field "run['status']")
  [ "$status" = queued ] || [ "$status" = running ] || break
  echo "  run $run_id: $status, $(run_field "run['phase'] + ' ' + str(round(run['progress_percent'])) + '%'")"
  sleep 15
done
echo "run $run_id ended: $status; promoted: $(run_field "run['promoted']"); $(run_field "run['reason']")"
run_field "json.dumps(run['metrics'], indent=1)" >"$home/training-metrics.json" || true
for _ in $(seq 1 300); do
  state=$(curl -sf "$url/ecg/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["search"]["state"])')
  [ "$state" = ready ] && break
  [ "$(run_field "run['promoted']")" = True ] || break
  sleep 1
done
served=$(curl -sf "$url/ecg/status" | python3 -c 'import json,sys; s = json.load(sys.stdin)["search"]; print(s["model_name"], "(kind", str(s.get("model_kind")) + ")")')
echo "search: $state, serving $served"

# The page opens on the latest ECG of the patient with the most ECGs (priors, course, changes).
read -r instance patient < <(psql "$db" -tA -F ' ' -c \
  "SELECT orthanc_instance_id, orthanc_patient_id FROM ecgs WHERE patient_key =
     (SELECT patient_key FROM ecgs GROUP BY patient_key ORDER BY count(*) DESC, patient_key LIMIT 1)
   ORDER BY acquired_at DESC NULLS LAST, ecg_key DESC LIMIT 1")
cat <<TXT

orthanc-ecg is running (stop it with: bash scripts/stop.sh).
  Clinician's page:         $url/ecg/app/?ecg=$instance
  Orthanc Explorer:         $url/app/explorer.html
  store status:             curl $url/ecg/status
  a patient's ECG timeline: curl $url/ecg/patients/$patient/timeline
  one ECG / its signal:     curl $url/ecg/ecgs/$instance[/signal?format=csv]
  decode errors:            curl $url/ecg/errors
  similar ECGs:             curl "$url/ecg/ecgs/$instance/similar?k=10&scope=all"
  a patient's priors:       curl "$url/ecg/ecgs/$instance/similar?scope=same-patient&before=YYYYMMDD"
  identity check:           curl $url/ecg/ecgs/$instance/identity
  training runs, models:    curl $url/ecg/training/runs ; curl $url/ecg/models
  run a training now:       curl -X POST $url/ecg/training/run   (nightly at 02:00 otherwise)
  held-out evaluation:      docs/model.md ("Reproducing on PTB-XL"); this run's: $home/training-metrics.json
TXT
