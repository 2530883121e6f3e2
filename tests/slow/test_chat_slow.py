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
                             "--model", "smollm2-135m-instruct", "--output", run)  # the defaults
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


# Kept out of the recipe's tuning (docs/benchmarks.md): written for the check, never tuned on.
HELD_OUT = REPO / "examples" / "pequenos" / "gimnasio"


@pytest.mark.xfail(reason="issue #14 is open: SmolLM2-135M stated 1/12 of these facts with the default recipe "
                          "(docs/benchmarks.md, 'Does it learn?')", strict=False)
def test_default_recipe_states_held_out_facts_in_spanish(run_cli, tmp_path: Path) -> None:
    """A first fine-tune with nothing overridden, on a business the recipe was not tuned on: the
    job's own check on paraphrased questions finds >= 80 % of the facts and <= 1.5 % non-words."""
    from afinar.evaluate.fluency import dictionary_available

    assert dictionary_available("es"), "install hunspell and hunspell-es (make dictionaries)"
    run = tmp_path / "run"
    code, _, err = run_cli("train", "chat", HELD_OUT / "train.jsonl", "--model", "smollm2-135m-instruct",
                           "--eval-prompts", HELD_OUT / "eval.jsonl", "--output", run)
    assert code == 0, err
    checks = json.loads((run / "evaluation.json").read_text())
    assert checks["source"] == "eval_prompts" and checks["language"] == "es"
    assert checks["recall"] >= 0.8, checks["answers"]
    assert checks["nonword_rate"] <= 0.015, checks["unknown_words"]
