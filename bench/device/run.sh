#!/usr/bin/env bash
# Runs ON the GPU machine (device tool), from the repo root, with .device/ carried (stage.sh).
# Chat: bench_chat_gpu.py (the shared HF peer and our step, same card, same call). Images: both
# stages of bench_image.py on the GPU (images/s per stage). Logs and JSON land in $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
# TINY=1: a CPU smoke test of this script here (the venv's python3 first on PATH, no wheels installed)
if [ "${TINY:-0}" != 1 ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .device/wheels/*.whl || exit 1
fi
export PYTHONPATH="/tmp/site:$PWD/src" AFINAR_HOME="$PWD/.device/home" OUT="${OUT:-/tmp/out}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt" || true
python3 -c "import torch, transformers, peft; print('torch', torch.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__)" | tee -a "$OUT/gpu.txt"
small=(); epochs=()
[ "${TINY:-0}" = 1 ] && small=(--tiny) && epochs=(--stage1-epochs 1 --stage2-epochs 1)
timeout 320 python3 bench/bench_chat_gpu.py --peer .device/peer/hf_peer_baseline.py "${small[@]}" 2>&1 \
  | grep -v -i "warn" | tee "$OUT/chat.log"
timeout 200 python3 bench/bench_image.py --data .device/cats-dogs "${epochs[@]}" 2>&1 | grep -v '"kind": "epoch"' | tee "$OUT/image.log"
