"""Preference fine-tuning (DPO) on a tiny random model: `afinar train chat --method dpo` (LoRA) and
`--method dpo-full` (all the weights) raise the preferred reply's log-probability margin over the
other one, on the training pairs and on pairs they never saw, and the result is a fine-tuned model
like any other."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tiny_chat

pytestmark = pytest.mark.cli


def pair(i: int) -> dict:
    """A question about a product; preferred: its price, short; the other: a vague non-answer."""
    return {"input": {"messages": [{"role": "system", "content": "Eres el asistente de TechStore."},
                                   {"role": "user", "content": f"¿Cuánto cuesta el producto {i}?"}]},
            "preferred_output": [{"role": "assistant", "content": f"El producto {i} cuesta ${100 + i}."}],
            "non_preferred_output": [{"role": "assistant", "content": "No lo sé, pregunta en otra tienda por favor."}]}


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_chat.build(tmp_path_factory.mktemp("tiny") / "tiny-chat")


def margins(run: Path, base: Path, rows: list[dict], full: bool = False) -> list[float]:
    """β-free margins of the tuned model over the reference: (Δ log π(preferred) − Δ log π(other)).
    The reference: the base (LoRA: the tuned model with its adapters off)."""
    import torch
    from peft import PeftModel
    from transformers import AutoTokenizer

    from afinar.tasks.chat import dpo, modeling

    cpu = torch.device("cpu")
    tok = AutoTokenizer.from_pretrained(str(base))
    pairs = [dpo.tokenize_pair(tok, {"messages": r["input"]["messages"], "chosen": r["preferred_output"][0],
                                     "rejected": r["non_preferred_output"][0]}, 256) for r in rows]
    reference = modeling.load_model(base, torch.float32, cpu).eval()
    model = (modeling.load_model(run / "final", torch.float32, cpu) if full
             else PeftModel.from_pretrained(reference, str(run / "final"))).eval()
    refs = dpo.reference_logps(reference if full else model, pairs, 8, cpu)
    with torch.no_grad():
        chosen, rejected = dpo.pair_logps(model, pairs, cpu)
    return [(c - rc) - (r - rr) for c, r, (rc, rr) in zip(chosen.tolist(), rejected.tolist(), refs)]


def test_dpo_raises_the_preferred_margin_on_seen_and_unseen_pairs(run_cli, tiny: Path, tmp_path: Path) -> None:
    data = write(tmp_path / "pares.jsonl", [pair(i) for i in range(16)])
    run = tmp_path / "run"
    code, out, err = run_cli("train", "chat", data, "--method", "dpo", "--model", tiny, "--epochs", "3",
                             "--batch-size", "4", "--lr-multiplier", "20", "--beta", "0.1", "--output", run)
    assert code == 0, err
    meta = json.loads((run / "meta.json").read_text())
    assert meta["status"] == "succeeded" and meta["model_id"] in out
    assert meta["preference"]["train"]["reward_accuracy"] == 1.0
    with open(run / "results.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert "train_reward_margin" in rows[0] and len(rows) == 12
    assert float(rows[-1]["train_reward_margin"]) > float(rows[0]["train_reward_margin"])
    assert "dpo" in (run / "README.md").read_text()
    seen = margins(run, tiny, [pair(i) for i in range(16)])
    unseen = margins(run, tiny, [pair(i) for i in range(40, 46)])  # other products: never trained on
    assert min(seen) > 0 and min(unseen) > 0, (seen, unseen)
    code, _, err = run_cli("chat", "-m", meta["model_id"], "-p", "¿Cuánto cuesta el producto 7?",
                                "--max-tokens", "6")
    assert code == 0, err


def test_dpo_needs_preference_data(run_cli, tiny: Path, tmp_path: Path) -> None:
    chat = write(tmp_path / "chat.jsonl", [{"messages": [{"role": "user", "content": f"hola {i}"},
                                                        {"role": "assistant", "content": "¡Hola!"}]}
                                           for i in range(12)])
    code, _, err = run_cli("train", "chat", chat, "--method", "dpo", "--model", tiny, "--output", tmp_path / "r")
    assert code == 1 and "Traceback" not in err
    for method in ("dpo", "dpo-full"):
        code, _, err = run_cli("train", "chat", write(tmp_path / "p.jsonl", [pair(i) for i in range(12)]),
                               "--method", method, "--nproc", "2", "--model", tiny)
        assert code != 0 and "one process" in " ".join(err.split())


def test_dpo_of_all_the_weights(run_cli, tiny: Path, tmp_path: Path) -> None:
    """--method dpo-full: every weight trains; the reference is the starting weights, whose
    log-probabilities are taken once before the first step (no second copy of the model)."""
    data = write(tmp_path / "pares.jsonl", [pair(i) for i in range(16)])
    run = tmp_path / "run"
    code, _, err = run_cli("train", "chat", data, "--method", "dpo-full", "--model", tiny, "--epochs", "3",
                             "--batch-size", "4", "--lr-multiplier", "100", "--output", run)
    assert code == 0, err
    meta = json.loads((run / "meta.json").read_text())
    assert meta["status"] == "succeeded" and meta["preference"]["train"]["reward_accuracy"] == 1.0
    config = (run / "config.yaml").read_text()
    assert "method: dpo-full" in config and "learning_rate: 0.00025" in config  # 2.5e-6 × 100
    assert (run / "final" / "model.safetensors").exists() and not (run / "final" / "adapter_config.json").exists()
    events = (run / "events.jsonl").read_text()
    assert "(the starting weights)" in events
    with open(run / "results.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # the first step's policy is the reference itself: every pair's loss is log 2
    assert abs(float(rows[0]["train_loss"]) - math.log(2)) < 1e-5
    assert float(rows[-1]["train_reward_margin"]) > float(rows[0]["train_reward_margin"])
    seen = margins(run, tiny, [pair(i) for i in range(16)], full=True)
    unseen = margins(run, tiny, [pair(i) for i in range(40, 46)], full=True)
    assert min(seen) > 0 and min(unseen) > 0, (seen, unseen)
    code, _, err = run_cli("chat", "-m", meta["model_id"], "-p", "¿Cuánto cuesta el producto 7?", "--max-tokens", "6")
    assert code == 0, err


def test_sft_then_dpo_from_the_fine_tuned_model(run_cli, tiny: Path, tmp_path: Path) -> None:
    """The usual path: supervised fine-tuning first, then DPO starting from its ft: model (its
    LoRA merged into the starting weights, which are the reference)."""
    chat = write(tmp_path / "chat.jsonl", [{"messages": pair(i)["input"]["messages"] + pair(i)["preferred_output"]}
                                           for i in range(12)])
    code, _, err = run_cli("train", "chat", chat, "--model", tiny, "--epochs", "1", "--output", tmp_path / "sft")
    assert code == 0, err
    sft_id = json.loads((tmp_path / "sft" / "meta.json").read_text())["model_id"]
    data = write(tmp_path / "pares.jsonl", [pair(i) for i in range(16)])
    code, out, err = run_cli("train", "chat", data, "--method", "dpo", "--model", sft_id, "--epochs", "2",
                             "--batch-size", "4", "--lr-multiplier", "20", "--output", tmp_path / "dpo")
    assert code == 0, err
    meta = json.loads((tmp_path / "dpo" / "meta.json").read_text())
    assert meta["status"] == "succeeded" and meta["model_id"] in out and meta["model_id"] != sft_id
    assert sft_id in (tmp_path / "dpo" / "config.yaml").read_text()  # started from the SFT model
    code, _, err = run_cli("chat", "-m", meta["model_id"], "-p", "¿Cuánto cuesta el producto 7?", "--max-tokens", "6")
    assert code == 0, err
