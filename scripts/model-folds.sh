#!/usr/bin/env bash
# The development folds of docs/model.md: trains a model configuration on three folds inside the
# PTB-XL train half and evaluates each on its own held-out part, so that a choice never looks at
# the held-out half (`--patients heldout`). Prints the sums and means for the model and model
# zero: fingerprint top-1 (correct probes of all folds), same-patient recall@10, diagnostic
# precision@10, linear AUC with 1 / 10 / 100% of the labels.
#   scripts/model-folds.sh NAME CONFIG.json [WORK_DIR]
# Needs ../shared/data/ptbxl and a build in build/. Fold S (7, 8, 9): fitted on
# `--patients train,train@S`, evaluated on `--patients train,heldout@S`. Each step runs under
# /tmp/ecg-build.lock so that it does not overlap builds or benchmarks on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?name}
config=${2:?config}
work=${3:-/tmp/model-folds}
ecg=build/orthanc-ecg
data=../shared/data/ptbxl
mkdir -p "$work"
for fold in 7 8 9; do
  archive=$work/fit$fold.ecgarch
  if [ ! -f "$archive" ]; then
    flock /tmp/ecg-build.lock $ecg eval --data $data --patients train,train@$fold \
      --export-archive "$archive" >/dev/null
  fi
  rm -rf "$work/$name-$fold"
  flock /tmp/ecg-build.lock $ecg train --data "$archive" --config "$config" \
    --out "$work/$name-$fold" >"$work/$name-$fold.train.log" 2>&1
  flock /tmp/ecg-build.lock $ecg eval --model "$work/$name-$fold" --data $data \
    --patients train,heldout@$fold --threads 2 >"$work/$name-$fold.json" 2>/dev/null
done
python3 - "$work" "$name" <<'PY'
import json, sys
work, name = sys.argv[1:]
def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else float('nan')
for who in ('model', 'model_zero'):
    correct = probes = 0
    rec, p10, auc = [], [], {'1': [], '10': [], '100': []}
    for fold in (7, 8, 9):
        j = json.load(open(f'{work}/{name}-{fold}.json'))
        m, n = j[who], j['data']['fingerprint_probes'] or 0
        probes += n
        correct += round((m['fingerprint_top1'] or 0) * n)
        rec.append(m['same_patient_recall10'])
        p10.append(m['diagnostic_precision10'])
        for k in auc:
            auc[k].append((m['linear_auc'] or {}).get(k))
    print(f"{name} {who}: top-1 {correct}/{probes} recall@10 {mean(rec):.3f} "
          f"P@10 {mean(p10):.4f} AUC 1/10/100 {mean(auc['1']):.3f}/{mean(auc['10']):.3f}/"
          f"{mean(auc['100']):.3f}")
PY
