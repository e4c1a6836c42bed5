#!/usr/bin/env bash
# The same encoding-only predictors (perf/cross_benchmark.toml) on three benchmarks of three kinds (NAS-Bench-201
# CIFAR-10, the spiking SpikeNAS-Bench CIFAR-10 and the graph-network NAS-Bench-Graph Cora), 20 trials at 20 and
# 100 training cells, 200 test cells, the "sampled" canonical split; then one report ranking the predictors across the benchmarks
# (perf/cross_benchmark/report.md, "Average rank across benchmarks"). Results folders go to $WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${WORK:-$HOME/.cache/naspred/cross_benchmark}"
export OMP_NUM_THREADS=1 NASPRED_DATA="${NASPRED_DATA:-../shared/data}"
for b in nb201-cifar10 spikenas-cifar10 nbgraph-cora; do
  naspred -q evaluate --spec perf/cross_benchmark.toml --benchmark "$b" --executor process --workers 2 \
    --no-report --out "$WORK/$b"
done
naspred report "$WORK/nb201-cifar10" "$WORK/spikenas-cifar10" "$WORK/nbgraph-cora" --out perf/cross_benchmark
