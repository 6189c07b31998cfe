#!/bin/sh
# CPU vs GPU (CTranslate2 ceiling and pipeline throughput) on the transformer-base random pack,
# as one JSON line. For a machine with an NVIDIA GPU; no test depends on it. Builds .venv first
# if it is missing (make install). Knobs: GPU_BENCH_SENTENCES, GPU_BENCH_ARTICLES, GPU_BENCH_LENGTH.
set -eu
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || make install >/dev/null
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >&2 || true
exec .venv/bin/python -m bench.gpu
