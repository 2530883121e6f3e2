"""`afinar data estimate` times real training steps when the model is on this machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.cli


def _tiny_llama(folder: Path) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256)
    LlamaForCausalLM(config).save_pretrained(folder, safe_serialization=True)
    return folder


def test_estimate_measures_a_local_model(run_cli, tmp_path: Path) -> None:
    folder = _tiny_llama(tmp_path / "tiny")
    data = REPO / "examples" / "techstore" / "train.jsonl"
    code, out, _ = run_cli("data", "estimate", data, "--model", folder, "--json")
    assert code == 0
    est = json.loads(out)
    assert est["local_method"] == "measured" and est["local_tokens_per_s"] > 0
    assert est["local_seconds"] == pytest.approx(est["trained_tokens"] / est["local_tokens_per_s"], rel=0.01, abs=0.06)
    assert est["model_params"] == 2 * (4 * 32 * 32 + 3 * 32 * 64) + 128 * 32
    code, out, _ = run_cli("data", "estimate", data, "--model", folder, "--no-measure", "--json")
    assert json.loads(out)["local_method"] == "assumed"
