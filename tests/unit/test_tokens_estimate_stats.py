"""Token counting, OpenAI's auto-epoch rule, the estimate arithmetic and stats percentiles."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from afinar.data.estimate import estimate, model_params
from afinar.data.recipe import openai_epochs
from afinar.data.stats import chat_stats, percentiles
from afinar.data.tokens import approx_tokens, load_tokenizer
from afinar.data.validate import ValidateOptions, validate
from afinar.errors import AfinarError


def _tiny_tokenizer(folder: Path) -> Path:
    """A real `tokenizers` WordLevel tokenizer saved as tokenizer.json (one token per word)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, **{w: i + 1 for i, w in enumerate("hola qué tal bien gracias".split())}}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    return folder


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": u},
                                                        {"role": "assistant", "content": a}]})
                              for u, a in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("n,epochs", [(1, 25), (4, 25), (10, 10), (24, 4), (33, 3), (34, 3), (100, 3),
                                      (8333, 3), (8334, 2), (25_000, 1), (100_000, 1)])
def test_openai_auto_epochs(n: int, epochs: int) -> None:
    assert openai_epochs(n) == epochs


def test_approximation_formula() -> None:
    assert approx_tokens(0) == 0 and approx_tokens(1) == 1 and approx_tokens(5) == 2
    assert approx_tokens(100, messages=2) == math.ceil(100 / 2.5) + 10


def test_tokenizer_counts_and_limit(tmp_path: Path) -> None:
    folder = _tiny_tokenizer(tmp_path / "tok")
    counter = load_tokenizer(str(folder))
    assert counter.count_text("hola qué tal") == 3
    data = _write(tmp_path / "d.jsonl", [("hola", "bien gracias"), ("hola qué tal", "bien " * 30)])
    report = validate(data, ValidateOptions(task="chat", min_examples=1, tokenizer=str(folder), max_tokens=20))
    assert [(f.line, f.code, f.params["tokens"]) for f in report.findings if f.code == "too_many_tokens"] == [
        (2, "too_many_tokens", 3 + 30 + 2 * 5)]
    assert report.stats["tokens"]["method"] == str(folder)
    stats = chat_stats(data, counter)
    assert stats["tokens_per_example"]["min"] == 1 + 2 + 10
    assert stats["trainable_assistant_tokens"] == 2 + 30


def test_tokenizer_errors_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(AfinarError) as err:
        load_tokenizer(str(tmp_path))
    assert err.value.key == "data.tokenizer.no_json" and err.value.exit_code == 2
    bad = tmp_path / "tokenizer.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(AfinarError) as err:
        load_tokenizer(str(bad))
    assert err.value.key == "data.tokenizer.unreadable"


def test_hub_id_offline_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(AfinarError) as err:
        load_tokenizer("someone/some-model-that-is-not-here")
    assert err.value.key == "data.tokenizer.not_found"
    assert "afinar models pull" in err.value.hint("en")


def test_estimate_arithmetic(tmp_path: Path) -> None:
    data = _write(tmp_path / "d.jsonl", [("hola", "x" * 95)] * 12)
    est = estimate(data, "smollm2-135m-instruct")
    per_example = approx_tokens(4 + 95, 2)
    assert est.examples == 12 and est.tokens_per_epoch == 12 * per_example
    assert est.epochs == 20 and est.trained_tokens == est.epochs * est.tokens_per_epoch  # Afinar's small-set rule
    assert est.openai_epochs == 100 // 12  # OpenAI bills its own rule's epochs
    assert est.local_method == "assumed" and est.local_seconds == pytest.approx(est.trained_tokens / 260, rel=0.01)
    assert est.openai_cost_usd["gpt-4.1-nano-2025-04-14"] == round(est.tokens_per_epoch * 8 * 1.5 / 1e6, 4)
    given = estimate(data, "unknown/model", epochs=2)
    assert given.epochs == 2 and given.local_seconds is None and given.local_method == "unknown"
    assert given.openai_epochs == 2 and given.recipe[0]["key"] == "recipe.batch"


def test_model_params_from_a_local_config(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"hidden_size": 64, "num_hidden_layers": 2,
                                                       "vocab_size": 100, "intermediate_size": 128}))
    assert model_params(str(tmp_path)) == 2 * (4 * 64 * 64 + 3 * 64 * 128) + 100 * 64


def test_percentiles_nearest_rank() -> None:
    assert percentiles(list(range(1, 11))) == {"min": 1, "p50": 5, "p90": 9, "max": 10, "mean": 5.5}
    assert percentiles([]) == {"min": 0, "p50": 0, "p90": 0, "max": 0, "mean": 0}
