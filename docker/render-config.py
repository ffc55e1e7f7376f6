#!/usr/bin/env python3
"""Writes Orthanc configuration files for orthanc-ecg from environment variables.

    orthanc-ecg-render-config --ecg /etc/orthanc/ecg.json \
                              [--credentials /etc/orthanc/credentials.json]

--ecg: the plugin's "Ecg" section (keys: plugin/plugin_config.cc, docs/admin.md). Each variable
below that is set and not empty gives its key; the others are left out, so the plugin's defaults
apply. Numbers and booleans are written as JSON numbers and booleans; anything else as a
string, so that a wrong value reaches the plugin, which refuses it with a message naming the key.
ECG_CONNECTION_URI is required unless ECG_ENABLE is false.

--credentials: Orthanc's "RegisteredUsers" from ORTHANC_USERNAME and ORTHANC_PASSWORD (both
required), written readable by its owner only.

Exits 2 with a message on stderr when a required variable is missing.
"""
import argparse
import json
import os
import sys

# (environment variable, path of the key inside "Ecg")
ECG_KEYS = [
    ("ECG_ENABLE", ["Enable"]),
    ("ECG_CONNECTION_URI", ["ConnectionUri"]),
    ("ECG_DATA_DIRECTORY", ["DataDirectory"]),
    ("ECG_THREADS", ["Threads"]),
    ("ECG_QUEUE_SIZE", ["QueueSize"]),
    ("ECG_CHANGES_BATCH", ["ChangesBatch"]),
    ("ECG_MAX_RETRY_DELAY_SECONDS", ["MaxRetryDelaySeconds"]),
    ("ECG_POLL_INTERVAL_SECONDS", ["PollIntervalSeconds"]),
    ("ECG_RECONCILE_ON_START", ["ReconcileOnStart"]),
    ("ECG_RECONCILE_INTERVAL_HOURS", ["ReconcileIntervalHours"]),
    ("ECG_TRAINING_SCHEDULE", ["Training", "Schedule"]),
    ("ECG_TRAINING_WORKER", ["Training", "Worker"]),
    ("ECG_TRAINING_DEVICE", ["Training", "Device"]),
    ("ECG_TRAINING_CONFIG", ["Training", "Config"]),
    ("ECG_TRAINING_WORKER_PATH", ["Training", "WorkerPath"]),
    ("ECG_TRAINING_HEARTBEAT_TIMEOUT_SECONDS", ["Training", "HeartbeatTimeoutSeconds"]),
]


def typed(text):
    """'true' -> True, '2' -> 2, '0.5' -> 0.5, anything else stays a string."""
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def fail(message):
    print("orthanc-ecg-render-config: " + message, file=sys.stderr)
    sys.exit(2)


def ecg_section(env):
    section = {}
    for name, path in ECG_KEYS:
        value = env.get(name, "")
        if value == "":
            continue
        target = section
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = typed(value)
    if section.get("Enable", True) is not False and "ConnectionUri" not in section:
        fail("ECG_CONNECTION_URI is not set (or set ECG_ENABLE=false)")
    return {"Ecg": section}


def write(path, document, mode):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    os.chmod(path, mode)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ecg", help="write the Ecg section to this file")
    parser.add_argument("--credentials", help="write RegisteredUsers to this file")
    args = parser.parse_args()
    env = os.environ
    if args.ecg:
        # It holds the connection URI, which may hold the database password.
        write(args.ecg, ecg_section(env), 0o640)
    if args.credentials:
        user, password = env.get("ORTHANC_USERNAME", ""), env.get("ORTHANC_PASSWORD", "")
        if not user or not password:
            fail("ORTHANC_USERNAME and ORTHANC_PASSWORD must be set")
        write(args.credentials, {"RegisteredUsers": {user: password}}, 0o640)


if __name__ == "__main__":
    main()
