"""`afinar data` on preference data (OpenAI's DPO format), as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TECHSTORE = REPO / "examples" / "techstore"
FIXTURE = REPO / "tests" / "fixtures" / "preference" / "findings.jsonl"

pytestmark = pytest.mark.cli


def test_validate_the_example_pairs(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", TECHSTORE / "preferencias.jsonl")
    assert code == 0
    assert "valid preference data" in " ".join(out.split()) and "24" in out


def test_broken_pairs_in_spanish(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", FIXTURE, "--lang", "es")
    text = " ".join(out.split()).replace("\\", "/")
    assert code == 1
    assert "tests/fixtures/preference/findings.jsonl:9" in text
    assert "Las respuestas preferida y no preferida son idénticas" in text
    assert "El último mensaje de \"input\" es de \"assistant\"" in text
    assert "Corrige los errores" in text


def test_json_report_and_stats(run_cli) -> None:
    code, out, _ = run_cli("data", "validate", FIXTURE, "--json")
    payload = json.loads(out)
    assert code == 1 and payload["task"] == "preference"
    assert {e["code"] for e in payload["errors"]} >= {"identical_outputs", "missing_output", "empty_output"}
    code, out, _ = run_cli("data", "stats", TECHSTORE / "preferencias.jsonl", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["task"] == "preference" and stats["examples"] == 24
    assert set(stats) >= {"prompt_tokens", "preferred_tokens", "non_preferred_tokens", "pair_tokens"}


def test_convert_then_validate(run_cli, tmp_path: Path) -> None:
    out_file = tmp_path / "pares.jsonl"
    code, out, _ = run_cli("data", "convert", TECHSTORE / "preferencias.csv", "-o", out_file,
                           "--to", "preference")
    assert code == 0 and "6" in out
    code, out, _ = run_cli("data", "validate", out_file, "--min-examples", "6")
    assert code == 0 and "preference" in out


def _pairs(n_conversations: int, per_conversation: int) -> list[dict]:
    """``per_conversation`` pairs (different answers) for each of ``n_conversations`` questions."""
    return [{"input": {"messages": [{"role": "user", "content": f"¿Cuánto cuesta el producto {i}?"}]},
             "preferred_output": [{"role": "assistant", "content": f"El producto {i} cuesta ${100 + i}. ({j})"}],
             "non_preferred_output": [{"role": "assistant", "content": f"No lo sé. ({j})"}]}
            for i in range(n_conversations) for j in range(per_conversation)]


def test_split_keeps_the_pairs_of_a_conversation_together(run_cli, tmp_path: Path) -> None:
    source = tmp_path / "pares.jsonl"
    rows = _pairs(10, 3)
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, out, _ = run_cli("data", "split", source, "--valid", "0.2", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["task"] == "preference" and payload["grouped"] == 30
    assert (payload["train"], payload["valid"]) == (24, 6)  # two whole conversations held out
    sides = {}
    for side in ("train", "valid"):
        for line in Path(payload[f"{side}_path"]).read_text(encoding="utf-8").splitlines():
            question = json.loads(line)["input"]["messages"][0]["content"]
            assert sides.setdefault(question, side) == side  # no conversation on both sides
    code, out, _ = run_cli("data", "split", source, "--valid", "0.2", "--lang", "es")
    text = " ".join(out.split())
    assert code == 0 and "validación: 6 pares" in text and "30 pares que comparten su conversación" in text
    code, _, _ = run_cli("data", "validate", tmp_path / "pares_valid.jsonl", "--min-examples", "1")
    assert code == 0


def test_training_split_keeps_conversations_together() -> None:
    from afinar.tasks.chat.prepare import conversation_of, split_examples

    rows = _pairs(30, 2)
    train, valid = split_examples(rows, 0.1, 42, conversation_of)
    assert len(valid) == 6 and len(train) == 54
    assert not {conversation_of(r) for r in train} & {conversation_of(r) for r in valid}
    assert split_examples(rows, 0.1, 42, conversation_of) == (train, valid)  # reproducible


def test_estimate_preference_pairs(run_cli) -> None:
    code, out, _ = run_cli("data", "estimate", TECHSTORE / "preferencias.jsonl", "--model", "smollm2-135m-instruct",
                           "--no-measure", "--json")
    est = json.loads(out)
    assert code == 0 and est["task"] == "preference" and est["examples"] == 24
    assert est["epochs"] == 3 and [r["key"] for r in est["recipe"]] == ["recipe.epochs_dpo", "recipe.lr_dpo",
                                                                         "recipe.batch"]
    assert est["learning_rate"] == 5e-5 and est["trained_tokens"] == est["tokens_per_epoch"] * 3
    # each pair is two sequences: the input with each answer, as `validate` counts them
    code, out, _ = run_cli("data", "stats", TECHSTORE / "preferencias.jsonl", "--json")
    stats = json.loads(out)
    # (stats' total counts the input once and each answer once; here the input comes twice)
    assert stats["total_tokens"] < est["tokens_per_epoch"] < 2 * stats["total_tokens"]
    assert est["reference_tokens"] == est["tokens_per_epoch"]
    speed = est["local_tokens_per_s"]
    assert abs(est["local_seconds"] - (est["trained_tokens"] + 0.5 * est["reference_tokens"]) / speed) < 1
    assert est["openai_cost_usd"]["gpt-4.1-mini-2025-04-14"] == round(est["tokens_per_epoch"] * est["openai_epochs"]
                                                                       * 5.0 / 1e6, 4)
    code, out, _ = run_cli("data", "estimate", TECHSTORE / "preferencias.jsonl", "-m", "smollm2-135m-instruct",
                           "--no-measure", "--lang", "es")
    text = " ".join(out.split())
    assert code == 0 and "24 pares de preferencias" in text and "3 épocas (auto)" in text
    assert "antes del primer paso" in text
