"""The mean-pooling head for sentence-embedding bases: pooling, the linear-probe start, saving in
plain safetensors that AutoModel + a few lines (the exported app's) reproduce exactly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.models.tiny_bert import write_tiny_bert

pytestmark = pytest.mark.unit

TEXTS = ["muy rico todo", "horrible servicio", "la sopa fría", "volveremos pronto", "no vuelvo nunca más",
         "precio normal", "abren los lunes", "rico y barato", "query:"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_bert(tmp_path_factory.mktemp("tiny"), TEXTS)


def _mean_model(base: Path, labels: list[str]):
    from afinar.tasks.text_classification.predict import load_model

    return load_model(base, labels=labels, head="mean", text_prefix="query: ")


def test_mean_pool_ignores_padding_and_is_unit_length() -> None:
    import torch

    from afinar.tasks.text_classification.heads import mean_pool

    hidden = torch.tensor([[[1.0, 0.0], [5.0, 8.0], [100.0, 100.0]]])
    pooled = mean_pool(hidden, torch.tensor([[1, 1, 0]]))
    assert torch.allclose(pooled, torch.tensor([[0.6, 0.8]]))  # mean (3, 4) → unit length


def test_probe_start_predicts_like_the_logistic_regression(base: Path) -> None:
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression

    from afinar.tasks.text_classification import train
    from afinar.tasks.text_classification.config import TextClassificationConfig
    from afinar.tasks.text_classification.predict import encode

    cfg = TextClassificationConfig(data=Path("t.csv"), head="mean", text_prefix="query: ")
    for labels, ids in ((["a", "b", "c"], [0, 1, 2, 0, 1, 2, 0, 1]), (["neg", "pos"], [0, 1, 0, 1, 1, 0, 0, 1])):
        tokenizer, model = _mean_model(base, labels)
        texts = TEXTS[:len(ids)]
        assert not model.classifier.weight.any()  # a new head starts at zero until the probe sets it
        accuracy = train._probe_head(model, tokenizer, texts, ids, cfg)
        with torch.inference_mode():
            enc = encode(model, tokenizer, texts, 32)
            vectors = model.embed(**enc).numpy()
            probs = torch.softmax(model(**enc).logits, -1).numpy()
        probe = LogisticRegression(C=train.PROBE_C, max_iter=3000, random_state=cfg.seed).fit(vectors, ids)
        assert np.allclose(probs, probe.predict_proba(vectors), atol=1e-5)
        assert accuracy == pytest.approx(probe.score(vectors, ids))


def test_saved_folder_loads_back_and_through_plain_transformers(base: Path, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    from afinar.tasks.text_classification.predict import (
        batch_probabilities,
        head_settings,
        load_model,
    )

    tokenizer, model = _mean_model(base, ["neg", "pos", "neu"])
    torch.manual_seed(1)
    torch.nn.init.normal_(model.classifier.weight)
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    texts = ["muy rico todo", "horrible"]
    expected, _ = batch_probabilities(model, tokenizer, texts, 32)

    _, loaded = load_model(tmp_path)  # the config says which head and prefix
    assert head_settings(loaded.config) == {"head": "mean", "text_prefix": "query: "}
    assert loaded.config.id2label == {0: "neg", 1: "pos", 2: "neu"}
    assert torch.allclose(torch.tensor(batch_probabilities(loaded, tokenizer, texts, 32)[0]), torch.tensor(expected))

    # What the model card and the exported app.py do: AutoModel + classifier.safetensors, no Afinar.
    plain_tok, encoder = AutoTokenizer.from_pretrained(tmp_path), AutoModel.from_pretrained(tmp_path).eval()
    head = load_file(str(tmp_path / "classifier.safetensors"))
    inputs = plain_tok(["query: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = encoder(**inputs).last_hidden_state
        mask = inputs["attention_mask"].unsqueeze(-1).float()
        vector = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
        probs = torch.softmax(vector @ head["weight"].T + head["bias"], -1)
    assert torch.allclose(probs, torch.tensor(expected), atol=1e-6)
    assert not list(tmp_path.glob("*.bin")) and not list(tmp_path.glob("*.pt"))


def test_folders_without_the_entry_keep_the_standard_head(base: Path, tmp_path: Path) -> None:
    from afinar.tasks.text_classification.predict import head_settings, load_model

    tokenizer, model = load_model(base, labels=["neg", "pos"])
    model.config.afinar = None  # as saved before the entry existed
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    _, loaded = load_model(tmp_path)
    assert type(loaded).__name__ == "BertForSequenceClassification"
    assert head_settings(loaded.config) == {"head": "cls", "text_prefix": ""}
