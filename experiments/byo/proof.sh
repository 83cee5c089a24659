#!/usr/bin/env bash
# Proof on spaces archembed was not designed for (issue #21): convert three public benchmarks
# to JSON lines, import each through the user path (`archembed data import-graphs`), then rank
# every predictor on it at 1/2, 5, 10 and 50 % of its training split over 5 seeds.
# Usage: ARCHEMBED_DATA=/path/to/data experiments/byo/proof.sh OUT_DIR
# 1 % of the two small spaces trains fewer than 8 architectures (the protocol's minimum), so
# they use 2 % as their smallest share.
set -euo pipefail
OUT=${1:?usage: proof.sh OUT_DIR}
HERE=$(dirname "$0")
mkdir -p "$OUT"
python "$HERE/export_nasbench_graph.py" "$OUT/nbg_cora.jsonl" --dataset cora
python "$HERE/convert_nb301.py" "$ARCHEMBED_DATA/nb301/naslib_zc_nasbench301.json" "$OUT/nb301.jsonl"
python "$HERE/convert_transnas_macro.py" \
    "$ARCHEMBED_DATA/transnas101/naslib_zc_transbench101_macro.json" "$OUT/tnb_macro.jsonl"
for name in nbg_cora nb301 tnb_macro; do
    archembed data import-graphs "$OUT/$name.jsonl" --name "byo-$name" -q
done
ENCODERS=gates,tagates,mlp,mlp-path,lstm,gcn,onehot+lightgbm,onehot+rf,path+rf
COMMON=(--encoders "$ENCODERS" --seeds 5 --threads 1 -q)
archembed predict --benchmark byo-nbg_cora --metric val_acc --train-share 0.1 \
    --fractions 0.01,0.05,0.1,0.5 "${COMMON[@]}" --out "$OUT/predict-nbg_cora"
archembed predict --benchmark byo-nb301 --metric val_acc --train-share 0.8 \
    --fractions 0.02,0.05,0.1,0.5 "${COMMON[@]}" --out "$OUT/predict-nb301"
archembed predict --benchmark byo-tnb_macro --metric class_scene --train-share 0.8 \
    --fractions 0.02,0.05,0.1,0.5 "${COMMON[@]}" --out "$OUT/predict-tnb_macro"
