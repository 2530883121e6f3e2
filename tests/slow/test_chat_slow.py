"""Slow: the real default base learns the TechStore facts (LoRA on CPU, a few minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_smollm2_lora_learns_the_store_facts(run_cli, tmp_path: Path) -> None:
    from afinar.evaluate.compare import read_prompts, run_comparison, totals
    from afinar.tasks.chat.predict import generate, load

    run = tmp_path / "run"
    code, out, err = run_cli("train", "chat", REPO / "examples" / "techstore" / "train.jsonl",
                             "--model", "smollm2-135m-instruct", "--epochs", "10", "--output", run)
    assert code == 0, err
    losses = [m["train_loss"] for m in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())
              if "train_loss" in m]
    assert losses[-1] < losses[0] / 3

    def answers(spec: str, prompts: list[str]) -> list[str]:
        model, tokenizer, _ = load(spec)
        return [generate(model, tokenizer, [{"role": "user", "content": p}], max_new_tokens=100)["text"]
                for p in prompts]

    rows = run_comparison(read_prompts(REPO / "examples" / "techstore" / "test_prompts.jsonl"),
                          {"base": "smollm2-135m-instruct", "tuned": str(run)}, answers)
    score = totals(rows)
    assert score["tuned"] >= score["base"] + 3, score
