#!/usr/bin/env bash
# Runs ON the GPU machine (device tool), from the repo root, with .device/ carried (stage.sh):
#   bash bench/device/run.sh [smoke] [chat] [image]      (default: all three, in that order)
# smoke: `afinar train chat` on a tiny random model with LoRA, full and QLoRA on the GPU, then
#        `afinar chat` with each result (the GPU paths of the engine, incl. the fused varlen kernel);
# chat:  bench_chat_gpu.py, the shared HF peer and our training step in the same call;
# image: bench_image.py, both stages of the image recipe on the GPU (images/s per stage).
# Logs land in $OUT. Measured on an H200 (2026-12-04): smoke ≈ 3 min, chat > 5 min (the 1.5B row), image ≈ 1.5 min;
# the whole script does not fit one 10-minute call with the start: call `run.sh chat` alone, then `run.sh smoke image`.
set -uo pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
parts="${*:-smoke chat image}"
# TINY=1: a CPU smoke test of this script here (the venv's python3 first on PATH, no wheels installed)
if [ "${TINY:-0}" != 1 ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
    .device/wheels/*.whl || exit 1
fi
export PYTHONPATH="/tmp/site:$PWD/src:$PWD/tests" AFINAR_HOME="$PWD/.device/home" OUT="${OUT:-/tmp/out}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt" || true
python3 -c "import torch, transformers, peft; print('torch', torch.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__)" | tee -a "$OUT/gpu.txt"
small=(); epochs=()
[ "${TINY:-0}" = 1 ] && small=(--tiny) && epochs=(--stage1-epochs 1 --stage2-epochs 1)
for part in $parts; do
  case "$part" in
    smoke)
      (
        set -e
        python3 -c "import tiny_chat, pathlib; tiny_chat.build(pathlib.Path('/tmp/tiny'), hidden=128)"
        methods="lora full qlora"
        [ "${TINY:-0}" = 1 ] && methods="lora full"
        for method in $methods; do
          timeout 120 python3 -m afinar --lang en train chat examples/techstore/train.jsonl --model /tmp/tiny \
            --method "$method" --epochs 2 --output "/tmp/run-$method" > "/tmp/run-$method.out" 2>&1 \
            || { echo "smoke $method: train failed"; tail -20 "/tmp/run-$method.out"; tail -20 "/tmp/run-$method/train.log"; continue; }
          # (not in a pipeline: with pipefail and set -e a failing chat ended the whole part without a word)
          chat_out=$(timeout 60 python3 -m afinar --lang en chat -m "/tmp/run-$method" -p hola --max-tokens 5 2>&1) \
            || { echo "smoke $method: chat failed"; tail -25 <<< "$chat_out"; continue; }
          answer=$(tail -1 <<< "$chat_out")
          python3 - "$method" "$answer" <<'PY'
import json, sys
method, answer = sys.argv[1], sys.argv[2]
meta = json.load(open(f"/tmp/run-{method}/meta.json"))
events = [json.loads(l)["message"] for l in open(f"/tmp/run-{method}/events.jsonl")]
print(f"smoke {method}: {meta['status']}, {meta.get('trained_tokens')} tokens, last event: {events[-1]!r}, chat: {answer!r}")
PY
        done
        grep -h -i "varlen flash" /tmp/run-*/train.log | sort | uniq -c || echo "varlen flash: no warning (fused kernel in use on CUDA)"
      ) 2>&1 | tee "$OUT/smoke.log"
      ;;
    chat)
      timeout 420 python3 bench/bench_chat_gpu.py --peer .device/peer/hf_peer_baseline.py "${small[@]}" 2>&1 \
        | grep -v -i "warn" | tee "$OUT/chat.log"
      ;;
    image)
      timeout 180 python3 bench/bench_image.py --data .device/cats-dogs "${epochs[@]}" 2>&1 \
        | grep -v '"kind": "epoch"' | tee "$OUT/image.log"
      ;;
  esac
done
