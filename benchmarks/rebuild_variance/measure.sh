#!/bin/bash
# usage: measure.sh BUILD_DIR TAG  -- swaps the tuned files in, runs benchmark + eval, restores
set -e
cd /work/main
D=src/lastresort/assessors/data
for f in builtin_encoder.npz builtin_heads.npz builtin_heads.json $EXTRA; do cp $1/$f $D/$f; done
.venv/bin/python benchmarks/assessor_benchmark.py --out /tmp/bench_$2 --no-plots > /tmp/bench_$2.log 2>&1
.venv/bin/lastresort eval --out /tmp/eval_$2 --name "$2" --workers 2 > /tmp/eval_$2.log 2>&1
git checkout -- $D
echo DONE $2
