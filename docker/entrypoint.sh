#!/usr/bin/env bash
# Entrypoint of the orthanc-ecg image (docker/Dockerfile).
#   orthanc-ecg-entrypoint Orthanc            renders /etc/orthanc/{ecg,credentials}.json from the
#                                             environment (docker/render-config.py), then runs
#                                             Orthanc on /etc/orthanc as the orthanc user
#   orthanc-ecg-entrypoint orthanc-ecg ARGS   runs the command line as the orthanc user (the
#                                             worker service: orthanc-ecg worker ...)
#   orthanc-ecg-entrypoint OTHER...           runs OTHER as is (a shell, for inspection)
set -euo pipefail
case "${1:-Orthanc}" in
  Orthanc)
    shift || true
    orthanc-ecg-render-config --ecg /etc/orthanc/ecg.json --credentials /etc/orthanc/credentials.json
    chown root:orthanc /etc/orthanc/ecg.json /etc/orthanc/credentials.json
    chown orthanc:orthanc /var/lib/orthanc/db /var/lib/orthanc/ecg
    exec runuser -u orthanc -- /usr/sbin/Orthanc "$@" /etc/orthanc/
    ;;
  orthanc-ecg)
    shift
    chown orthanc:orthanc /var/lib/orthanc-ecg-worker
    exec runuser -u orthanc -- /usr/bin/orthanc-ecg "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
