#!/usr/bin/env bash
# Checks the deployment files without a Docker engine (none runs on CI):
#   1. docker-compose.yml is valid with .env.example, with and without the "gpu" profile
#      (Debian's docker-compose), publishes only Orthanc's HTTP and DICOM ports, keeps its data
#      in named volumes, has healthchecks, and reserves an NVIDIA GPU for the worker;
#   2. docker/Dockerfile runs nothing that the README's commands do not already run: each RUN
#      line is the project's scripts that scripts/run.sh or scripts/test.sh call (install-deps.sh,
#      build.sh) or plain install/copy steps;
#   3. docker/render-config.py turns .env.example into an "Ecg" section and credentials.
# Exits 1 with one line per problem.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
problems=0
fail() { echo "check-deploy: $*" >&2; problems=$((problems + 1)); }

# --- 1. docker-compose.yml -------------------------------------------------------------------
for profile in "" gpu; do
  if ! docker-compose --env-file .env.example ${profile:+--profile $profile} config -q; then
    fail "docker-compose.yml is not valid with .env.example${profile:+ and profile $profile}"
  fi
done
docker-compose --env-file .env.example --profile gpu config >"${TMPDIR:-/tmp}/compose.$$.yml" ||
  fail "docker-compose config failed"
python3 - "${TMPDIR:-/tmp}/compose.$$.yml" <<'PY' || problems=$((problems + 1))
import sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
services, volumes = compose["services"], compose.get("volumes", {})
bad = []
published = sorted(str(p.get("target")) for s in services.values() for p in s.get("ports", []))
if published != ["4242", "8042"]:
    bad.append(f"published ports must be Orthanc's 8042 and 4242 only, found {published}")
for name in ("postgres", "orthanc", "worker"):
    if name not in services:
        bad.append(f"service {name} is missing")
if services.get("postgres", {}).get("ports"):
    bad.append("PostgreSQL must not be published")
for name in ("postgres", "orthanc"):
    if "healthcheck" not in services.get(name, {}):
        bad.append(f"service {name} has no healthcheck")
if services.get("orthanc", {}).get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
    bad.append("orthanc must wait for postgres: service_healthy")
for name, service in services.items():
    for volume in service.get("volumes", []):
        source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
        if source not in volumes:
            bad.append(f"service {name} mounts {source}, not a named volume")
worker = services.get("worker", {})
if worker.get("profiles") != ["gpu"]:
    bad.append("the worker service must be in the gpu profile only")
devices = worker.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices", [])
if not any(d.get("driver") == "nvidia" and "gpu" in d.get("capabilities", []) for d in devices):
    bad.append("the worker service reserves no NVIDIA GPU")
if "worker" not in " ".join(worker.get("command", [])):
    bad.append("the worker service does not run orthanc-ecg worker")
for line in bad:
    print("check-deploy: docker-compose.yml: " + line, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
rm -f "${TMPDIR:-/tmp}/compose.$$.yml"

# --- 2. docker/Dockerfile --------------------------------------------------------------------
# The project's scripts that the README's two commands run (scripts/run.sh, scripts/test.sh).
tested=$(grep -ho 'bash scripts/[a-z-]*\.sh' scripts/run.sh scripts/test.sh | awk '{print $2}' | sort -u)
python3 - docker/Dockerfile "$tested" <<'PY' || problems=$((problems + 1))
import re, shlex, sys
path, tested = sys.argv[1], set(sys.argv[2].split())
plain = {"install", "cp", "mkdir", "ln", "chown", "chmod", "rm", "true"}
text = open(path).read().replace("\\\n", " ")
bad = []
for number, line in enumerate(text.splitlines(), 1):
    match = re.match(r"\s*RUN\s+(.*)", line)
    if not match:
        continue
    for step in re.split(r"&&|;|\|\|", match.group(1)):
        words = shlex.split(step.strip())
        if not words:
            continue
        if words[0] in plain:
            continue
        if words[0] == "bash" and len(words) > 1 and words[1] in tested:
            continue
        bad.append(f"RUN step `{step.strip()}` is neither one of the scripts the README's "
                   f"commands run ({', '.join(sorted(tested))}) nor a plain install/copy step")
for line in bad:
    print(f"check-deploy: {path}: {line}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# --- 3. the entrypoint's configuration -------------------------------------------------------
out=$(mktemp -d)
(
  set -a
  # shellcheck disable=SC1091
  source .env.example
  set +a
  ECG_CONNECTION_URI="postgresql://ecg:${POSTGRES_PASSWORD}@postgres:5432/ecg" \
    python3 docker/render-config.py --ecg "$out/ecg.json" --credentials "$out/credentials.json"
) || fail "docker/render-config.py failed on .env.example"
python3 - "$out" <<'PY' || problems=$((problems + 1))
import json, sys
ecg = json.load(open(sys.argv[1] + "/ecg.json"))["Ecg"]
users = json.load(open(sys.argv[1] + "/credentials.json"))["RegisteredUsers"]
bad = []
if not ecg.get("ConnectionUri", "").startswith("postgresql://"):
    bad.append("no ConnectionUri")
if not isinstance(ecg.get("Threads"), int):
    bad.append("Threads is not a number")
if ecg.get("Training", {}).get("Schedule") != "02:00":
    bad.append("Training.Schedule is not 02:00")
if "QueueSize" in ecg:
    bad.append("an empty variable became a key")
if not users:
    bad.append("no registered user")
for line in bad:
    print("check-deploy: docker/render-config.py: " + line, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
rm -rf "$out"

if [ "$problems" -ne 0 ]; then
  echo "check-deploy: $problems problem(s)" >&2
  exit 1
fi
echo "check-deploy: docker-compose.yml, docker/Dockerfile and the entrypoint's configuration are consistent"
